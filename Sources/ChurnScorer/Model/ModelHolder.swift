internal import NIOConcurrencyHelpers

/// The one reference through which every call reads the models it scores with. Swapping it is
/// atomic: a call reads it once and finishes on what it read; an old model is freed when its
/// last call is done.
public final class ModelHolder: Sendable {
    private let box: NIOLockedValueBox<ServingModels>

    /// Makes a holder serving `model` as production.
    public convenience init(_ model: ServingModel) {
        self.init(ServingModels(production: model))
    }

    /// Makes a holder serving `models`.
    public init(_ models: ServingModels) {
        self.box = NIOLockedValueBox(models)
    }

    /// The production model serving now.
    public var current: ServingModel {
        self.box.withLockedValue { $0.production }
    }

    /// Production, canary and shadow as they serve now.
    public var all: ServingModels {
        self.box.withLockedValue { $0 }
    }

    /// The model that scores `crm` now (the canary for its share of CRM numbers).
    public func serving(forCRM crm: UInt64) -> ServingModel {
        self.box.withLockedValue { $0.model(forCRM: crm) }
    }

    /// The model that scores `crm` now and, when `withShadow` and `crm` is answered by
    /// production, the shadow that scores beside it: one read of the reference, and no copy of
    /// the whole set on the request path.
    public func serving(forCRM crm: UInt64, withShadow: Bool) -> (ServingModel, shadow: ServingModel?) {
        self.box.withLockedValue { models in
            let serving = models.model(forCRM: crm)
            guard withShadow, let shadow = models.shadow, serving === models.production else { return (serving, nil) }
            return (serving, shadow)
        }
    }

    /// Serves `model` as production from the next call on, keeping any canary and shadow;
    /// returns the one it replaces.
    @discardableResult
    public func swap(to model: ServingModel) -> ServingModel {
        self.box.withLockedValue { current in
            let old = current.production
            current.production = model
            return old
        }
    }

    /// Serves `models` from the next call on; returns what they replace.
    @discardableResult
    public func replace(with models: ServingModels) -> ServingModels {
        self.box.withLockedValue { current in
            let old = current
            current = models
            return old
        }
    }
}
