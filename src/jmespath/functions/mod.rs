//! The function table: every function an expression can call is one row (name, parameter
//! types, return type, one-line note, body), registered per family. `nomos jp function`
//! prints these rows and the tests check every row has cases.

mod arithmetic;
mod builtin;
mod encoding;
mod images;
mod network;
mod objects;
mod parsing;
mod random;
mod regex;
mod semver;
mod strings;
mod time;
mod x509;

use std::fmt;

use serde_json::Value;

use super::Dialect;
use super::ast::Expr;

/// A set of accepted argument types. A value is accepted when any member accepts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Types(u16);

impl Types {
    pub const NULL: Types = Types(1);
    pub const BOOL: Types = Types(1 << 1);
    pub const NUMBER: Types = Types(1 << 2);
    pub const STRING: Types = Types(1 << 3);
    pub const ARRAY: Types = Types(1 << 4);
    pub const OBJECT: Types = Types(1 << 5);
    pub const EXPREF: Types = Types(1 << 6);
    /// An array whose elements are all numbers.
    pub const ARRAY_NUMBER: Types = Types(1 << 7);
    /// An array whose elements are all strings.
    pub const ARRAY_STRING: Types = Types(1 << 8);
    pub const ANY: Types = Types(0b11_1111);

    pub const fn or(self, other: Types) -> Types {
        Types(self.0 | other.0)
    }

    const fn has(self, other: Types) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether a value is of one of these types.
    pub fn accepts(self, value: &Value) -> bool {
        match value {
            Value::Null => self.has(Types::NULL),
            Value::Bool(_) => self.has(Types::BOOL),
            Value::Number(_) => self.has(Types::NUMBER),
            Value::String(_) => self.has(Types::STRING),
            Value::Object(_) => self.has(Types::OBJECT),
            Value::Array(items) => {
                self.has(Types::ARRAY)
                    || (self.has(Types::ARRAY_NUMBER) && items.iter().all(Value::is_number))
                    || (self.has(Types::ARRAY_STRING) && items.iter().all(Value::is_string))
            }
        }
    }
}

impl fmt::Display for Types {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Types::ANY {
            return f.write_str("any");
        }
        const NAMES: [(Types, &str); 9] = [
            (Types::NULL, "null"),
            (Types::BOOL, "boolean"),
            (Types::NUMBER, "number"),
            (Types::STRING, "string"),
            (Types::ARRAY, "array"),
            (Types::OBJECT, "object"),
            (Types::EXPREF, "expref"),
            (Types::ARRAY_NUMBER, "array[number]"),
            (Types::ARRAY_STRING, "array[string]"),
        ];
        let names: Vec<&str> = NAMES
            .iter()
            .filter(|(t, _)| self.has(*t))
            .map(|(_, n)| *n)
            .collect();
        f.write_str(&names.join("|"))
    }
}

/// An argument as a function receives it.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Value(&'a Value),
    Expref(&'a Expr),
}

/// Evaluates an expression reference against one value (for `map`, `sort_by`, ...).
pub type Apply<'f> = dyn FnMut(&Expr, &Value) -> Result<Value, FnError> + 'f;

/// How a function runs.
#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// Arguments are values (type-checked against the row before the call).
    Plain(fn(&[&Value]) -> Result<Value, FnError>),
    /// Some arguments are expression references.
    Higher(fn(&[Arg<'_>], &mut Apply<'_>) -> Result<Value, FnError>),
}

/// One row of the function table.
#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    pub params: &'static [Types],
    /// The last parameter may repeat (zero or more extra times).
    pub variadic: bool,
    /// Accepts any number of arguments of any type and ignores them (Kyverno's
    /// argument-less functions, jmespath.md §1.7).
    pub ignores_args: bool,
    pub returns: &'static str,
    pub note: &'static str,
    pub body: Body,
}

impl Function {
    /// A function taking exactly `params`.
    pub const fn plain(
        name: &'static str,
        params: &'static [Types],
        returns: &'static str,
        note: &'static str,
        body: fn(&[&Value]) -> Result<Value, FnError>,
    ) -> Function {
        Function {
            name,
            params,
            variadic: false,
            ignores_args: false,
            returns,
            note,
            body: Body::Plain(body),
        }
    }

    /// The signature as `nomos jp function` prints it: `name(string, number) string`.
    pub fn signature(&self) -> String {
        let mut params: Vec<String> = self.params.iter().map(|t| t.to_string()).collect();
        if let Some(last) = params.last_mut().filter(|_| self.variadic) {
            last.push_str("...");
        }
        format!("{}({}) {}", self.name, params.join(", "), self.returns)
    }

    /// Checks the argument count and each argument's type.
    pub fn check(&self, args: &[Arg<'_>]) -> Result<(), FnError> {
        self.check_each(args.iter().copied())
    }

    /// [`Function::check`] over arguments as they are made, without collecting them.
    pub(crate) fn check_each<'a>(
        &self,
        args: impl ExactSizeIterator<Item = Arg<'a>>,
    ) -> Result<(), FnError> {
        if self.ignores_args {
            return Ok(());
        }
        let n = self.params.len();
        let count_ok = if self.variadic {
            args.len() >= n
        } else {
            args.len() == n
        };
        if !count_ok {
            return Err(FnError::Arity {
                expected: n,
                variadic: self.variadic,
                got: args.len(),
            });
        }
        for (i, arg) in args.enumerate() {
            let expected = self.params[i.min(n.saturating_sub(1))];
            let ok = match arg {
                Arg::Value(v) => expected.accepts(v),
                Arg::Expref(_) => expected.has(Types::EXPREF),
            };
            if !ok {
                return Err(FnError::Type {
                    position: i + 1,
                    expected,
                    got: match arg {
                        Arg::Value(v) => crate::value::type_name(v),
                        Arg::Expref(_) => "expref",
                    },
                });
            }
        }
        Ok(())
    }
}

/// Why a function call failed. The evaluator adds the function's name.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FnError {
    #[error("expected {} argument{}{}, got {got}", expected, if *expected == 1 { "" } else { "s" }, if *variadic { " or more" } else { "" })]
    Arity {
        expected: usize,
        variadic: bool,
        got: usize,
    },
    #[error("argument #{position} must be {expected}, got {got}")]
    Type {
        position: usize,
        expected: Types,
        got: &'static str,
    },
    /// A value the function cannot work with (`avg([])`, a bad slice, ...).
    #[error("{0}")]
    InvalidValue(String),
    /// An error Kyverno reports with the `JMESPath function '<name>': ` prefix.
    #[error("{0}")]
    Kyverno(String),
    /// An error Kyverno passes through from a library without the prefix.
    #[error("{0}")]
    Plain(String),
}

/// Every family's rows: Kyverno's functions first, so they replace a built-in of the same
/// name (only `sum` collides).
fn families() -> [&'static [Function]; 14] {
    [
        strings::FUNCTIONS,
        regex::FUNCTIONS,
        objects::FUNCTIONS,
        encoding::FUNCTIONS,
        arithmetic::FUNCTIONS,
        time::FUNCTIONS,
        semver::FUNCTIONS,
        images::FUNCTIONS,
        network::FUNCTIONS,
        x509::FUNCTIONS,
        random::FUNCTIONS,
        parsing::FUNCTIONS,
        builtin::KYVERNO_OVERRIDES,
        builtin::FUNCTIONS,
    ]
}

/// The rows of one dialect, in lookup order.
pub fn table(dialect: Dialect) -> Vec<&'static Function> {
    match dialect {
        Dialect::Standard => builtin::FUNCTIONS.iter().collect(),
        Dialect::Kyverno => {
            let mut rows: Vec<&'static Function> = Vec::new();
            for row in families().into_iter().flatten() {
                if !rows.iter().any(|r| r.name == row.name) {
                    rows.push(row);
                }
            }
            rows
        }
    }
}

/// Kyverno's own functions (not the standard built-ins), as `nomos jp function` lists them.
pub fn kyverno_functions() -> Vec<&'static Function> {
    families().into_iter().take(12).flatten().collect()
}

/// The function a name calls in a dialect.
pub fn lookup(name: &str, dialect: Dialect) -> Option<&'static Function> {
    match dialect {
        Dialect::Standard => builtin::FUNCTIONS.iter().find(|f| f.name == name),
        Dialect::Kyverno => families().into_iter().flatten().find(|f| f.name == name),
    }
}

/// Reads argument `i` as a string; the table's type check makes this infallible in practice.
pub(crate) fn str_arg<'a>(args: &[&'a Value], i: usize) -> Result<&'a str, FnError> {
    args.get(i)
        .and_then(|v| v.as_str())
        .ok_or_else(|| FnError::Kyverno(format!("argument #{} is not of type string", i + 1)))
}

/// Reads argument `i` as a number.
pub(crate) fn num_arg(args: &[&Value], i: usize) -> Result<f64, FnError> {
    args.get(i)
        .and_then(|v| v.as_f64())
        .ok_or_else(|| FnError::Kyverno(format!("argument #{} is not of type float64", i + 1)))
}
