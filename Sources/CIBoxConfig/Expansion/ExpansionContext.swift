// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// What the expansion passes of one compilation share once the config and its orbs are loaded: the element scopes,
/// the pipeline's templates, the passes that every element goes through, and where problems go.
struct ExpansionContext {
    /// Where problems go.
    let decoder: NodeDecoder
    /// The config's and its orbs' elements.
    let scopes: ElementScopes
    /// The pipeline parameters and values.
    let templates: PipelineTemplates
    /// `<< … >>` substitution, spending from the compilation's budget.
    let substitution: Substitution
    /// Parameter declarations and binding.
    let binding: ParameterBinding
    /// Logic statements.
    let logic: LogicEvaluator
    /// Whether a missing orb is a warning (its uses fail when run) rather than an error.
    let allowMissingOrbs: Bool

    /// A context for `scopes` and `templates`, with passes reporting to `decoder` and spending from `budget`.
    init(
        scopes: ElementScopes, templates: PipelineTemplates, file: String, allowMissingOrbs: Bool,
        decoder: NodeDecoder, budget: ExpansionBudget
    ) {
        self.decoder = decoder
        self.scopes = scopes
        self.templates = templates
        self.substitution = Substitution(decoder: decoder, budget: budget, file: file)
        self.binding = ParameterBinding(decoder: decoder)
        self.logic = LogicEvaluator(decoder: decoder)
        self.allowMissingOrbs = allowMissingOrbs
    }

    /// The compilation's expansion budget.
    var budget: ExpansionBudget { substitution.budget }

    /// The template scope of an element defined in scope `scope`, with parameter values `values`.
    func elementScope(_ values: [String: ConfigNode], element: String, scope: Int) -> TemplateScope {
        templates.elementScope(values, element: element, isOrb: scopes[scope].isOrb)
    }

    /// The parameter values of one use of an element of scope `scope` (see ``ParameterBinding/bind``), with the
    /// pipeline values and pipeline parameters in its declarations' defaults resolved first, as CircleCI does
    /// (`default: << pipeline.git.revision >>`).
    func bind(
        _ declarations: [ParameterDeclaration], arguments: [ConfigMappingEntry], element: String,
        at location: SourceLocation, scope: Int
    ) -> [String: ConfigNode] {
        let defaultsScope = templates.defaultsScope(isOrb: scopes[scope].isOrb)
        let resolved = declarations.map { declaration in
            var declaration = declaration
            declaration.defaultValue = declaration.defaultValue.map { substitution.substitute($0, defaultsScope) }
            return declaration
        }
        return binding.bind(resolved, arguments: arguments, element: element, at: location)
    }

    /// Warns about a use of a missing orb's element (with `allowMissingOrbs`; otherwise the orb's error says it).
    func missingOrbUse(_ location: SourceLocation, _ message: String, hint: String) {
        if allowMissingOrbs { decoder.warning(location, message, hint: hint) }
    }
}
