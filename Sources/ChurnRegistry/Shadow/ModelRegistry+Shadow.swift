import PostgresNIO

extension ModelRegistry {
    /// How a shadow version's scores compared with production's on the same calls.
    public struct ShadowComparison: Sendable, Hashable {
        public var productionVersion: Int
        public var shadowVersion: Int
        public var calls: Int
        public var meanProduction: Double
        public var meanShadow: Double
        /// Mean and largest |shadow − production|.
        public var meanAbsoluteDifference: Double
        public var maxAbsoluteDifference: Double
        /// Pearson correlation of the two scores (NaN when either is constant).
        public var correlation: Double
        /// Share of calls where both put the customer on the same side of 0.5.
        public var agreement: Double
        public var first: String
        public var last: String
    }

    /// Shadow results of `name`, per (production, shadow) pair of versions.
    public func shadowComparison(name: String) async throws(RegistryError) -> [ShadowComparison] {
        do {
            let rows = try await self.client.query(
                """
                SELECT production_version, shadow_version, count(*)::bigint, avg(production_probability),
                    avg(shadow_probability), avg(abs(shadow_probability - production_probability)),
                    max(abs(shadow_probability - production_probability)),
                    coalesce(corr(production_probability, shadow_probability), 'NaN'::float8),
                    avg(CASE WHEN (production_probability >= 0.5) = (shadow_probability >= 0.5) THEN 1.0 ELSE 0.0 END)::float8,
                    to_char(min(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    to_char(max(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM shadow_results WHERE name = \(name)
                GROUP BY production_version, shadow_version ORDER BY shadow_version, production_version
                """,
                logger: self.logger
            )
            var result: [ShadowComparison] = []
            for try await (pv, sv, count, mp, ms, mad, maxd, corr, agree, first, last) in rows.decode(
                (Int, Int, Int64, Double, Double, Double, Double, Double, Double, String, String).self
            ) {
                result.append(
                    ShadowComparison(
                        productionVersion: pv,
                        shadowVersion: sv,
                        calls: Int(count),
                        meanProduction: mp,
                        meanShadow: ms,
                        meanAbsoluteDifference: mad,
                        maxAbsoluteDifference: maxd,
                        correlation: corr,
                        agreement: agree,
                        first: first,
                        last: last
                    )
                )
            }
            return result
        } catch {
            throw RegistryError.wrapping(error, "reading the shadow results of \(name)")
        }
    }
}
