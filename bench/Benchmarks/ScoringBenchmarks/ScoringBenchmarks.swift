import Benchmark
import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire

/// The scoring handler on the hot path, after decode and before encode: one `Score` call with the
/// demo model, its features sent by the caller, against the same call by CRM number alone, whose
/// features come from the scorer's `CustomerBook` (10,000 customers, features already derived for
/// the day: a hash lookup under a lock). Read the difference: what holding histories costs a call.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .instructions],
        warmupIterations: 20_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    let model = TrainedModel.demo()
    let day = CivilDate.days(year: 2026, month: 3, day: 31)
    let customers = (0..<10_000).map { index in
        let months = (0..<12).map { month in
            MonthlyActivity(
                year: 2025,
                month: month + 1,
                netRevenue: Double(5_000 + (index * 37 + month * 11) % 4_000),
                kagCount: Double(3 + index % 9),
                discounts: 120,
                returns: 30,
                complaints: Double((index + month) % 3 == 0 ? 1 : 0),
                satisfaction: month % 3 == 0 ? 6.5 : .nan,
                callCenterContacts: Double(month % 2)
            )
        }
        let days: [(first: Int, last: Int)?] = (0..<12).map { month in
            let first = CivilDate.days(year: 2025, month: month + 1, day: 2)
            return (first: first, last: first + 20 + index % 6)
        }
        return CustomerBook.Customer(
            crm: UInt64(4_000_000 + index),
            productGroup: "fuel_cards",
            contractStartDay: CivilDate.days(year: 2021, month: 1 + index % 12, day: 1),
            months: months,
            activeDays: days
        )
    }
    let book = try! CustomerBook(customers: customers, scoringDay: .fixed(day))
    let handlers = ScoringHandlers(models: ModelHolder(ServingModel(model: model, version: 1)), customers: book)
    let context = RPCContext(method: ScoringService.score.descriptor, deadline: nil, limits: .defaults)
    // The same features a caller would send, derived once up front.
    let requestsWithFeatures = customers.prefix(1_000).map { customer in
        ScoreRequest(
            crm: customer.crm,
            productGroup: customer.productGroup,
            featureSchemaHash: model.schema.hash,
            features: try! book.features(crm: customer.crm, productGroup: customer.productGroup)!
        )
    }
    let requestsByCRM = customers.prefix(1_000).map { ScoreRequest(crm: $0.crm, productGroup: $0.productGroup) }

    Benchmark("Score handler, features sent") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(try handlers.score(requestsWithFeatures[index], context: context).probability)
            index = index == 999 ? 0 : index + 1
        }
    }

    Benchmark("Score handler, by CRM number (features held)") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(try handlers.score(requestsByCRM[index], context: context).probability)
            index = index == 999 ? 0 : index + 1
        }
    }

    Benchmark("CustomerBook lookup (features held)") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let request = requestsByCRM[index]
            blackHole(try book.features(crm: request.crm, productGroup: request.productGroup))
            index = index == 999 ? 0 : index + 1
        }
    }
}
