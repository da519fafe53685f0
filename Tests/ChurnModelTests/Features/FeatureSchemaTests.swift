import ChurnModel
import ChurnTesting
import Testing

@Suite("Feature schema and its hash", .onComputeThreads)
struct FeatureSchemaTests {
    static let schema = try! FeatureSchema([
        .numeric("days_inactive"),
        .categorical("product_group", vocabulary: ["fuel-cards", "tolls"]),
    ])

    @Test("the hash is FNV-1a of the canonical text, pinned to a value computed independently")
    func pinnedHash() {
        #expect(
            Self.schema.canonicalText
                == "churn.features.v1\nnumeric days_inactive\ncategorical product_group fuel-cards,tolls\n"
        )
        #expect(Self.schema.hash == 0x373c_4121_9e2d_a352)
    }

    @Test("any change of name, kind, order or vocabulary changes the hash")
    func sensitivity() throws {
        let variants: [[FeatureSchema.Feature]] = [
            [.numeric("days_inactive"), .categorical("product_group", vocabulary: ["tolls", "fuel-cards"])],
            [.categorical("product_group", vocabulary: ["fuel-cards", "tolls"]), .numeric("days_inactive")],
            [.numeric("days_inactive"), .numeric("product_group")],
            [.numeric("days_idle"), .categorical("product_group", vocabulary: ["fuel-cards", "tolls"])],
            [
                .numeric("days_inactive"),
                .categorical("product_group", vocabulary: ["fuel-cards", "tolls", "parking"]),
            ],
        ]
        var hashes: Set<UInt64> = [Self.schema.hash]
        for features in variants { hashes.insert(try FeatureSchema(features).hash) }
        #expect(hashes.count == variants.count + 1)
    }

    @Test("categories encode as their vocabulary position; unknown ones as missing")
    func codes() {
        #expect(Self.schema.code(of: "tolls", feature: 1) == 1)
        #expect(Self.schema.code(of: "fuel-cards", feature: 1) == 0)
        #expect(Self.schema.code(of: "boats", feature: 1).isNaN)
        #expect(Self.schema.code(of: "tolls", feature: 0).isNaN)
        #expect(Self.schema.index(of: "product_group") == 1)
        #expect(Self.schema.index(of: "nope") == nil)
    }

    @Test(
        "ambiguous schemas are refused",
        arguments: [
            [FeatureSchema.Feature.numeric("a"), .numeric("a")],
            [.numeric("")],
            [.numeric("a b")],
            [.numeric("a,b")],
            [.categorical("c", vocabulary: ["x", "x"])],
            [.categorical("c", vocabulary: ["x,y"])],
        ]
    )
    func refused(features: [FeatureSchema.Feature]) {
        #expect(throws: ModelError.self) { try FeatureSchema(features) }
    }
}
