//! Takes a policy's IR; returns the rules Kyverno's autogen derives from its Pod rules for
//! pod controllers (`autogen-<rule>`, `autogen-cronjob-<rule>`, rules.md §3,
//! podsecurity.md §3.9) and, per resource kind, the rule list the engine evaluates.
//!
//! Kyverno recomputes these rules for every resource it evaluates; here they are computed
//! once per policy, grouped so that one rule set serves several controller kinds (see
//! [`controllers::groups`] for why that is equivalent).

mod controllers;
mod eligibility;
mod text;
mod transform;

use crate::ir::{Policy, Rule};

pub use controllers::{ANNOTATION, CRONJOB, Shape};
pub use eligibility::is_autogen_name;

/// Everything autogen derived from one policy.
#[derive(Clone, Debug, Default)]
pub struct Autogen {
    /// The controller kinds autogen serves, as the annotation lists them (split on `,`,
    /// spaces kept; `none` and empty entries dropped), or Kyverno's seven by default.
    /// Empty when the policy is not eligible (rules.md §3.2) or annotated `none`.
    pub controllers: Vec<String>,
    /// One generated rule set per group of controllers, each listing its rules in policy
    /// order. Normally two: the `spec.template` controllers and CronJob.
    pub variants: Vec<Variant>,
}

/// Generated rules shared by some controller kinds.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The resource kinds these rules are evaluated for.
    pub controllers: Vec<String>,
    pub shape: Shape,
    pub rules: Vec<Rule>,
}

/// Where a rule of an evaluated list lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleRef {
    /// `policy.spec.rules[i]`.
    Own(usize),
    /// `autogen.variants[variant].rules[rule]`.
    Generated { variant: usize, rule: usize },
}

/// The controller rules of a policy (empty when it is not eligible).
pub fn autogen(policy: &Policy) -> Autogen {
    if !eligibility::policy_eligible(policy) {
        return Autogen::default();
    }
    let annotation = policy.annotation(ANNOTATION).map(|a| a.node.as_str());
    let controllers = controllers::from_annotation(annotation);
    let variants = controllers::groups(&controllers)
        .into_iter()
        .map(|group| Variant {
            rules: generated_rules(policy, &group.shape),
            controllers: group.controllers,
            shape: group.shape,
        })
        .collect();
    Autogen {
        controllers,
        variants,
    }
}

fn generated_rules(policy: &Policy, shape: &Shape) -> Vec<Rule> {
    policy
        .spec
        .rules
        .iter()
        .filter(|rule| eligibility::rule_eligible(rule))
        .filter_map(|rule| transform::generate(rule, shape))
        .collect()
}

impl Autogen {
    /// The index of the rule set evaluated for resources of `kind`, if it has any rules.
    fn variant_for(&self, kind: &str) -> Option<usize> {
        self.variants
            .iter()
            .position(|v| v.controllers.iter().any(|c| c == kind))
            .filter(|&i| !self.variants[i].rules.is_empty())
    }

    /// The rule a reference points to.
    pub fn rule<'a>(&'a self, policy: &'a Policy, at: RuleRef) -> Option<&'a Rule> {
        match at {
            RuleRef::Own(i) => policy.spec.rules.get(i),
            RuleRef::Generated { variant, rule } => self.variants.get(variant)?.rules.get(rule),
        }
    }
}

/// The rules evaluated for a resource of `kind` (rules.md §3.4): the policy's own rules
/// unchanged when `kind` is not a controller of the policy or nothing was generated for it;
/// otherwise the own rules not named `autogen-…`, then the generated rules for `kind`.
pub fn select(policy: &Policy, autogen: &Autogen, kind: &str) -> Vec<RuleRef> {
    let own = policy.spec.rules.iter().enumerate();
    let Some(variant) = autogen.variant_for(kind) else {
        return own.map(|(i, _)| RuleRef::Own(i)).collect();
    };
    let kept = own
        .filter(|(_, r)| !is_autogen_name(&r.name.node))
        .map(|(i, _)| RuleRef::Own(i));
    let generated =
        (0..autogen.variants[variant].rules.len()).map(|rule| RuleRef::Generated { variant, rule });
    kept.chain(generated).collect()
}

/// [`select`], resolved to the rules themselves.
pub fn rules_for_kind<'a>(policy: &'a Policy, autogen: &'a Autogen, kind: &str) -> Vec<&'a Rule> {
    select(policy, autogen, kind)
        .into_iter()
        .filter_map(|at| autogen.rule(policy, at))
        .collect()
}
