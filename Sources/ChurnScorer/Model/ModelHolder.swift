internal import NIOConcurrencyHelpers

/// The one reference through which every call reads the model it scores with. Swapping it is
/// atomic: a call reads it once and finishes on what it read; the old model is freed when its
/// last call is done.
public final class ModelHolder: Sendable {
    private let box: NIOLockedValueBox<ServingModel>

    /// Makes a holder serving `model`.
    public init(_ model: ServingModel) {
        self.box = NIOLockedValueBox(model)
    }

    /// The model serving now.
    public var current: ServingModel {
        self.box.withLockedValue { $0 }
    }

    /// Serves `model` from the next call on; returns the one it replaces.
    @discardableResult
    public func swap(to model: ServingModel) -> ServingModel {
        self.box.withLockedValue { current in
            let old = current
            current = model
            return old
        }
    }
}
