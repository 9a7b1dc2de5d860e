//! `match` / `exclude` blocks and PolicyException `match` blocks (IR) compiled into a
//! [`Matcher`]: kind selectors parsed, wildcards prepared, label selectors checked, and
//! the block's structural problems reported as diagnostics (rules.md §1.6, §2;
//! podsecurity.md §4.3). The engine evaluates a `Matcher` per request
//! (`engine::matching`).

mod filter;
mod kinds;
mod overlap;
mod pattern;
mod rule_checks;
mod selector;
mod validate;

pub use filter::Filter;
pub use kinds::{KindSelector, NamedKind, parse_kind_selector};
pub use pattern::Pattern;
pub use rule_checks::{RuleScope, check_rule, duplicate_rule_names, user_info_in_background};
pub use selector::{LabelSelector, SelectorOperator, label_key_error, label_value_error};

pub(crate) use filter::{Resources, SubjectPattern, UserFilter};
pub(crate) use selector::{LabelTerm, Requirement};

use crate::diagnostic::Diagnostic;
use crate::ir::{MatchBlock, ResourceFilter};
use crate::source::{Span, Spanned};

/// Which kind of block was compiled: the three differ in how empty filters, missing user
/// information, `operations`, `namespaceSelector` and Pod ephemeral containers behave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// A rule's `match`: selects the requests the rule applies to.
    Match,
    /// A rule's `exclude`: selects the requests taken out again.
    Exclude,
    /// A PolicyException's `match`: selects the requests the exception covers.
    Exception,
}

impl Flavor {
    /// The block's name in messages.
    pub fn block_name(self) -> &'static str {
        match self {
            Flavor::Match | Flavor::Exception => "match",
            Flavor::Exclude => "exclude",
        }
    }
}

/// How the compiled filters combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Combine {
    /// Some filter must match (`any`, or the single legacy filter).
    Any,
    /// Every filter must match (`all`).
    All,
    /// No filter to consult: never matches.
    Never,
}

/// A compiled block, ready to be evaluated against many requests.
#[derive(Clone, Debug)]
pub struct Matcher {
    pub(crate) span: Span,
    pub(crate) flavor: Flavor,
    pub(crate) combine: Combine,
    pub(crate) filters: Vec<Filter>,
    /// Every filter is decided by its kinds alone (see `Filter::kinds_only`), and the
    /// block is a rule's: matching reads nothing but the request's kind.
    pub(crate) kinds_only: bool,
    /// With `kinds_only`, when every filter counts (`any`, or a single one) and each of
    /// their entries names its group, version and kind without wildcards (or leaves the
    /// group and version to any): what the block selects when the request names no
    /// subresource.
    pub(crate) named_kinds: Option<Box<[NamedKind]>>,
    /// With `named_kinds`: the slot of a request's [`KindVerdicts`] that every matcher of
    /// the set with the same named kinds shares (see [`share_kind_verdicts`]).
    pub(crate) kinds_slot: Option<u8>,
}

/// Whether each slot's named kinds select the request, for the first [`KIND_SLOTS`]
/// distinct lists of named kinds of a set: many rules select the same kinds (`Pod`), and
/// the answer depends on the request's kind alone, so it is worked out once per request.
#[derive(Clone, Copy, Debug, Default)]
pub struct KindVerdicts {
    known: u64,
    selected: u64,
}

/// How many distinct lists of named kinds get a slot; later ones are matched each time.
pub const KIND_SLOTS: usize = 64;

impl KindVerdicts {
    /// The verdict of `slot`, worked out by `decide` the first time it is asked.
    #[inline]
    pub fn get_or(&mut self, slot: u8, decide: impl FnOnce() -> bool) -> bool {
        let bit = 1u64 << (slot as usize % KIND_SLOTS);
        if self.known & bit == 0 {
            self.known |= bit;
            if decide() {
                self.selected |= bit;
            }
        }
        self.selected & bit != 0
    }
}

/// Gives each matcher with named kinds the slot of its list among `lists`, the distinct
/// lists seen so far (a list beyond [`KIND_SLOTS`] gets none).
pub fn share_kind_verdicts(matcher: &mut Matcher, lists: &mut Vec<Box<[NamedKind]>>) {
    let Some(kinds) = &matcher.named_kinds else {
        return;
    };
    let at = match lists.iter().position(|l| l == kinds) {
        Some(at) => at,
        None => {
            lists.push(kinds.clone());
            lists.len() - 1
        }
    };
    matcher.kinds_slot = (at < KIND_SLOTS).then_some(at as u8);
}

/// Compiles a rule's `match` block. A rule without `match` should be compiled from
/// `MatchBlock::default()`, which is reported as selecting nothing.
pub fn compile_match(block: &MatchBlock) -> Result<Matcher, Vec<Diagnostic>> {
    compile(block, Flavor::Match)
}

/// Compiles a rule's `exclude` block (`exclude` may omit `kinds`).
pub fn compile_exclude(block: &MatchBlock) -> Result<Matcher, Vec<Diagnostic>> {
    compile(block, Flavor::Exclude)
}

/// Compiles a PolicyException's `match` block: only `any`/`all` count there.
pub fn compile_exception_match(block: &MatchBlock) -> Result<Matcher, Vec<Diagnostic>> {
    compile(block, Flavor::Exception)
}

fn compile(block: &MatchBlock, flavor: Flavor) -> Result<Matcher, Vec<Diagnostic>> {
    let diagnostics = validate::block(block, flavor);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(compile_unchecked(block, flavor))
}

/// The matcher Kyverno's engine evaluates for `block`, without the policy-validation
/// checks (for blocks Kyverno evaluates without validating them, and for tests of the
/// engine's behaviour on blocks validation would reject).
pub fn compile_unchecked(block: &MatchBlock, flavor: Flavor) -> Matcher {
    let (combine, filters) = chosen_filters(block, flavor);
    let filters: Vec<Filter> = filters.into_iter().map(Filter::compile).collect();
    let kinds_only = flavor != Flavor::Exception && filters.iter().all(|f| f.kinds_only);
    let each_counts = combine == Combine::Any || (combine == Combine::All && filters.len() == 1);
    let named_kinds = (kinds_only && each_counts)
        .then(|| {
            let kinds = filters.iter().flat_map(|f| f.kinds());
            kinds.map(KindSelector::named).collect()
        })
        .flatten();
    Matcher {
        span: block.span,
        flavor,
        combine,
        kinds_only,
        named_kinds,
        kinds_slot: None,
        filters,
    }
}

fn non_empty(list: &Option<Vec<ResourceFilter>>) -> Option<&Vec<ResourceFilter>> {
    list.as_ref().filter(|l| !l.is_empty())
}

/// Kyverno's precedence: a non-empty `any`, else a non-empty `all`, else the legacy
/// filter (rules only; exceptions have none).
pub(crate) fn chosen_filters(
    block: &MatchBlock,
    flavor: Flavor,
) -> (Combine, Vec<&ResourceFilter>) {
    if let Some(any) = non_empty(&block.any) {
        return (Combine::Any, any.iter().collect());
    }
    if let Some(all) = non_empty(&block.all) {
        return (Combine::All, all.iter().collect());
    }
    match (&block.legacy, flavor) {
        (Some(legacy), Flavor::Match | Flavor::Exclude) => (Combine::Any, vec![legacy]),
        _ => (Combine::Never, Vec::new()),
    }
}

/// Every `kinds` entry written in a block (legacy, `all`, then `any`), whether or not
/// Kyverno evaluates that part: what autogen and kind indexes look at in the IR.
pub fn block_kinds(block: &MatchBlock) -> impl Iterator<Item = &Spanned<String>> {
    let legacy = block.legacy.iter();
    legacy
        .chain(block.all.iter().flatten())
        .chain(block.any.iter().flatten())
        .filter_map(|f| f.resources.as_ref())
        .flat_map(|r| r.kinds.iter())
}

impl Matcher {
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Where the block was written.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The filters that are evaluated, in order.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// Every compiled `kinds` entry of the evaluated filters, in order.
    pub fn kind_selectors(&self) -> impl Iterator<Item = &KindSelector> {
        self.filters.iter().flat_map(|f| f.kinds().iter())
    }

    /// True when some evaluated filter has no `kinds` (it then matches every kind, so an
    /// index by kind must consult this block for every resource).
    pub fn has_kindless_filter(&self) -> bool {
        self.filters.iter().any(|f| f.kinds().is_empty())
    }

    /// True when some `kinds` entry names exactly this kind (its kind part, whatever its
    /// group, version or subresource), e.g. `mentions_kind("Pod")` for autogen.
    pub fn mentions_kind(&self, kind: &str) -> bool {
        self.kind_selectors().any(|k| k.kind() == kind)
    }
}
