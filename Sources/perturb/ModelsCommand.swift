import ArgumentParser
import PerturbKit

/// `perturb models`: the registered forward and reverse models with their hyperparameters.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the registered forward and reverse models, their hyperparameters and whether they use the seed "
            + "(`fit --list` and `reverse --list` show one registry each).")

    @Flag(help: "Only the forward models.")
    var forward = false

    @Flag(help: "Only the reverse models.")
    var reverse = false

    func run() throws {
        let both = forward == reverse
        var sections: [String] = []
        if both || forward { sections.append((both ? "Forward models\n" : "") + modelListing(forwardModels.declarations)) }
        if both || reverse { sections.append((both ? "Reverse models\n" : "") + modelListing(reverseModels.declarations)) }
        print(sections.joined(separator: "\n\n"))
    }
}
