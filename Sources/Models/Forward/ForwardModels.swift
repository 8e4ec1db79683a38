/// The one registry of forward models, by name (`ModelRegistry`). A new model is added to this list and
/// nowhere else.
public let forwardModels = ModelRegistry<any ForwardModel.Type, any ForwardModel>(
    [
        ControlMeanModel.self, CellMeanModel.self, PerturbationMeanModel.self, ContextMeanModel.self, AdditiveModel.self,
        LinearModel.self, RidgeModel.self, LinearPCAModel.self,
        LatentAdditiveModel.self, DecoderOnlyModel.self, CPAModel.self, StateTransitionModel.self,
    ],
    describe: { $0 }, construct: { try $0.init(hyperparameters: $1) })
