import ChurnModel
import Foundation

/// A seeded, realistic B2B customer base with monthly histories: companies with one to three
/// product groups (fuel cards, vehicle leasing, hotel stays, toll services), seasonality, growth,
/// complaints, surveys and call-center contacts — and customers who leave, mostly after a gradual
/// decline (fewer cards in use, falling revenue, more complaints and calls, lower satisfaction),
/// some abruptly, while others dip and recover or skip a month. Churn is then observed, as in
/// production, only as future inactivity (``ChurnSnapshots``).
///
/// The same configuration and seed give the same customers.
///
/// ```swift
/// let base = DemoCustomerBase(configuration: .init(companies: 10_000, seed: 42))
/// let timelines = base.timelines()
/// ```
public struct DemoCustomerBase: Sendable {
    /// What to generate.
    public struct Configuration: Sendable, Hashable {
        /// Companies (CRM numbers). Default 10,000 (about 15,000 customers, 200k monthly rows).
        public var companies: Int
        /// Months of history. Default 24.
        public var months: Int
        /// The first month. Default 2024-01.
        public var startYear: Int
        public var startMonth: Int
        /// Default 42.
        public var seed: UInt64

        public init(
            companies: Int = 10_000,
            months: Int = 24,
            startYear: Int = 2024,
            startMonth: Int = 1,
            seed: UInt64 = 42
        ) {
            self.companies = companies
            self.months = months
            self.startYear = startYear
            self.startMonth = startMonth
            self.seed = seed
        }

        /// The defaults stated on each property.
        public static var defaults: Configuration { Configuration() }
    }

    /// A product group's economics.
    struct ProductGroup {
        var name: String
        /// Net revenue per unit (card, vehicle, stay) per month.
        var revenuePerUnit: Double
        var seasonalAmplitude: Double
        /// The month of year (0-based) of the seasonal peak.
        var peakMonth: Double
        /// Multiplies the base monthly hazard of leaving.
        var hazardFactor: Double
    }

    static let productGroups = [
        ProductGroup(name: "fuel_cards", revenuePerUnit: 180, seasonalAmplitude: 0.10, peakMonth: 6, hazardFactor: 1.0),
        ProductGroup(
            name: "vehicle_leasing",
            revenuePerUnit: 650,
            seasonalAmplitude: 0.03,
            peakMonth: 2,
            hazardFactor: 0.6
        ),
        ProductGroup(name: "hotel_stays", revenuePerUnit: 95, seasonalAmplitude: 0.30, peakMonth: 9, hazardFactor: 1.4),
        ProductGroup(
            name: "toll_services",
            revenuePerUnit: 40,
            seasonalAmplitude: 0.12,
            peakMonth: 7,
            hazardFactor: 1.1
        ),
    ]

    public var configuration: Configuration

    public init(configuration: Configuration = .defaults) { self.configuration = configuration }

    /// The first day of the data (days since 1970-01-01).
    public var startDay: Int {
        CivilDate.days(year: self.configuration.startYear, month: self.configuration.startMonth, day: 1)
    }

    /// The last day of the data.
    public var endDay: Int {
        let first = MonthlyActivity.monthIndex(year: self.configuration.startYear, month: self.configuration.startMonth)
        return ChurnSnapshots.lastDay(ofMonth: first + self.configuration.months - 1)
    }

    /// Every customer's timeline, companies in CRM order, each company's product groups in a fixed order.
    public func timelines() -> [CustomerTimeline] {
        var random = SeededGenerator(seed: self.configuration.seed)
        var timelines: [CustomerTimeline] = []
        timelines.reserveCapacity(self.configuration.companies * 3 / 2)
        for company in 0..<self.configuration.companies {
            let crm = UInt64(4_000_000 + company)
            // Company traits shared by its product groups.
            let size = exp(Foundation.log(12) + 1.0 * random.normal())
            let satisfaction = min(9.8, max(2, 7.2 + 1.3 * random.normal()))
            let discountRate = 0.12 * random.uniform()
            let complaintProneness = exp(0.5 * random.normal())
            let groupCount = random.chance(0.6) ? 1 : (random.chance(0.75) ? 2 : 3)
            var groups = Array(Self.productGroups.indices)
            for index in stride(from: groups.count - 1, to: 0, by: -1) {
                groups.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
            for group in groups.prefix(groupCount).sorted() {
                timelines.append(
                    self.timeline(
                        crm: crm,
                        group: Self.productGroups[group],
                        traits: .init(
                            size: size,
                            satisfaction: satisfaction,
                            discountRate: discountRate,
                            complaintProneness: complaintProneness
                        ),
                        random: &random
                    )
                )
            }
        }
        return timelines
    }

    struct Traits {
        var size: Double
        var satisfaction: Double
        var discountRate: Double
        var complaintProneness: Double
    }

    func timeline(crm: UInt64, group: ProductGroup, traits: Traits, random: inout SeededGenerator) -> CustomerTimeline {
        let firstMonth = MonthlyActivity.monthIndex(
            year: self.configuration.startYear,
            month: self.configuration.startMonth
        )
        let monthCount = self.configuration.months
        // Most contracts predate the data; a fifth start during it.
        let joinsDuring = random.chance(0.2)
        let contractStartDay =
            joinsDuring
            ? self.startDay + Int(random.uniform() * Double(monthCount) * 0.75 * 30.44)
            : self.startDay - 30 - Int(random.uniform() * 3_650)
        let startMonth = max(firstMonth, CivilDate(days: contractStartDay).monthIndex)

        // When (if ever) the customer leaves, and how long it declines before.
        let hazard =
            0.011 * group.hazardFactor
            * exp(
                0.45 * (7.2 - traits.satisfaction) + 4 * (traits.discountRate - 0.06) - 0.25
                    * Foundation.log(traits.size / 12)
            )
        var leaveMonth: Int?
        for month in (startMonth + 1)..<(firstMonth + monthCount + 6) where random.chance(hazard) {
            leaveMonth = month
            break
        }
        let decline = random.chance(0.6) ? 2 + Int(random.next() % 5) : 0
        let declineDepth = 0.2 + 0.6 * random.uniform()
        let growth = 0.006 * random.normal()
        let phase = random.uniform() * 0.6

        var months: [MonthlyActivity] = []
        var activityDays: [Int] = []
        var dip: (until: Int, depth: Double)?
        for month in startMonth..<(firstMonth + monthCount) {
            if let leaveMonth, month >= leaveMonth { break }
            // Skipped months: no activity at all, without leaving.
            if month > startMonth, random.chance(0.015) { continue }
            var declineShare = 0.0
            if let leaveMonth, decline > 0, month >= leaveMonth - decline {
                declineShare = Double(month - (leaveMonth - decline) + 1) / Double(decline + 1)
            }
            if dip == nil, random.chance(0.03) {
                dip = (month + 1 + Int(random.next() % 3), 0.2 + 0.4 * random.uniform())
            }
            var dipDepth = 0.0
            if let current = dip {
                if month <= current.until { dipDepth = current.depth } else { dip = nil }
            }

            let monthOfYear = Double(month % 12)
            let season = 1 + group.seasonalAmplitude * cos(2 * Double.pi * (monthOfYear - group.peakMonth) / 12 + phase)
            let trend = exp(growth * Double(month - startMonth))
            let usage = traits.size * trend * (1 - declineDepth * declineShare) * (1 - dipDepth)
            let units = max(1, (usage * exp(0.15 * random.normal())).rounded())
            let gross = units * group.revenuePerUnit * season * exp(0.1 * random.normal())
            let returns = gross * (0.01 + 0.03 * declineShare) * random.uniform()
            let discounts = gross * traits.discountRate * (1 + 0.5 * declineShare)
            let complaintsMean =
                (0.04 + 0.03 * max(0, 7.2 - traits.satisfaction)) * traits.complaintProneness + 0.4 * declineShare
                + 0.3 * dipDepth
            let satisfaction =
                random.chance(0.35)
                ? min(10, max(1, traits.satisfaction - 1.5 * declineShare - 1.5 * dipDepth + 0.9 * random.normal()))
                : .nan
            let calls = Double(random.poisson(0.3 + 1.0 * declineShare + 0.8 * dipDepth))
            let civil = CivilDate(days: ChurnSnapshots.lastDay(ofMonth: month))
            months.append(
                MonthlyActivity(
                    year: civil.year,
                    month: civil.month,
                    netRevenue: ((gross - returns) * 100).rounded() / 100,
                    kagCount: units,
                    discounts: (discounts * 100).rounded() / 100,
                    returns: (returns * 100).rounded() / 100,
                    complaints: Double(random.poisson(complaintsMean)),
                    satisfaction: satisfaction.isNaN ? .nan : (satisfaction * 10).rounded() / 10,
                    callCenterContacts: calls
                )
            )
            // Activity days: more cards in use, more days with transactions.
            let firstDay = max(ChurnSnapshots.lastDay(ofMonth: month - 1) + 1, contractStartDay)
            let lastDay = ChurnSnapshots.lastDay(ofMonth: month)
            let dayCount = min(lastDay - firstDay + 1, 1 + random.poisson(min(units, 200) / 6))
            var days = Set<Int>()
            while days.count < dayCount { days.insert(firstDay + Int(random.next() % UInt64(lastDay - firstDay + 1))) }
            activityDays += days.sorted()
        }
        return CustomerTimeline(
            crm: crm,
            productGroup: group.name,
            contractStartDay: contractStartDay,
            months: months,
            activityDays: activityDays
        )
    }
}
