import Foundation

// The libm functions the generators use, in one place.
extension SeededGenerator {
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func cosine(_ x: Double) -> Double { Foundation.cos(x) }
    static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
}
