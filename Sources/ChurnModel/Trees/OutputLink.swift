#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a model's raw score (the sum of its trees, or the linear predictor) becomes its output.
public enum OutputLink: Sendable, Hashable {
    /// The raw score as it is (regression).
    case identity
    /// `1 / (1 + exp(-scale × raw))`: a probability (binary classification; LightGBM's `sigmoid:`).
    case sigmoid(scale: Double)
    /// `exp(raw)` (Poisson, gamma and Tweedie regression).
    case exponential

    /// The output for a raw score, computed as LightGBM computes it (same operations, same order,
    /// the C library's `exp`), so results are equal bit for bit.
    public func apply(_ raw: Double) -> Double {
        switch self {
        case .identity: raw
        case .sigmoid(let scale): 1.0 / (1.0 + exp(-scale * raw))
        case .exponential: exp(raw)
        }
    }
}
