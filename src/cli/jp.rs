//! `nomos jp`: query, list functions, parse, as `kyverno jp` does.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::exit;
use crate::diagnostic::Emitter;
use crate::jmespath::{Expression, functions};
use crate::load::yaml;
use crate::source::SourceMap;
use crate::value::go;

#[derive(Debug, Args)]
pub struct JpArgs {
    #[command(subcommand)]
    command: JpCommand,
}

#[derive(Debug, Subcommand)]
enum JpCommand {
    /// Evaluate expressions on an input document and print each result as JSON.
    Query {
        /// JSON or YAML file to query (default: stdin when piped, else null).
        #[arg(short, long)]
        input: Option<PathBuf>,
        /// Expressions, evaluated in order.
        #[arg(required = true)]
        expressions: Vec<String>,
    },
    /// List Kyverno's custom functions (or one of them).
    Function {
        /// Show only this function.
        name: Option<String>,
    },
    /// Print the parsed form of an expression.
    Parse {
        /// The expression to parse.
        expression: String,
    },
}

pub fn run(args: JpArgs) -> u8 {
    match args.command {
        JpCommand::Query { input, expressions } => query(input, &expressions),
        JpCommand::Function { name } => list_functions(name.as_deref()),
        JpCommand::Parse { expression } => parse(&expression),
    }
}

fn query(input: Option<PathBuf>, expressions: &[String]) -> u8 {
    let data = match read_input(input) {
        Ok(data) => data,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::INVALID_INPUT;
        }
    };
    let mut stdout = std::io::stdout().lock();
    for text in expressions {
        let compiled = match Expression::compile(text) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: incorrect query {text}: {e}");
                return exit::FAILED;
            }
        };
        match compiled.search(&data) {
            Ok(value) => {
                let _ = writeln!(stdout, "{}", go::json(&value));
            }
            Err(e) => {
                eprintln!("error: {text}: {e}");
                return exit::FAILED;
            }
        }
    }
    exit::OK
}

/// The input document: the file, stdin when piped, or `null`.
fn read_input(input: Option<PathBuf>) -> Result<Value, String> {
    let (name, text) = match input {
        Some(path) if path.as_os_str() != "-" => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (path.display().to_string(), text)
        }
        Some(_) => ("<stdin>".to_string(), read_stdin()?),
        None if std::io::stdin().is_terminal() => return Ok(Value::Null),
        None => ("<stdin>".to_string(), read_stdin()?),
    };
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    // JSON is read directly (the common, large case); anything else as YAML.
    if let Ok(value) = serde_json::from_str::<Value>(&text) {
        return Ok(value);
    }
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let text = sources
        .get(file)
        .map(|f| f.text.as_str())
        .unwrap_or_default();
    let parsed = yaml::parse_values(text, file);
    if parsed.diagnostics.iter().any(|d| d.is_error()) {
        return Err(Emitter::plain(&sources).render_all(&parsed.diagnostics));
    }
    Ok(parsed
        .documents
        .into_iter()
        .next()
        .map_or(Value::Null, |d| d.node))
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(text)
}

fn list_functions(name: Option<&str>) -> u8 {
    let rows: Vec<_> = functions::kyverno_functions()
        .into_iter()
        .filter(|f| name.is_none_or(|n| n == f.name))
        .collect();
    if rows.is_empty() {
        eprintln!("error: no function named {}", name.unwrap_or_default());
        return exit::FAILED;
    }
    let mut stdout = std::io::stdout().lock();
    for f in rows {
        let _ = writeln!(
            stdout,
            "Name: {}\n  Signature: {}\n  Note: {}\n",
            f.name,
            f.signature(),
            f.note
        );
    }
    exit::OK
}

fn parse(text: &str) -> u8 {
    match Expression::compile(text) {
        Ok(compiled) => {
            print!("{}", compiled.ast());
            exit::OK
        }
        Err(e) => {
            eprintln!("error: incorrect query {text}: {e}");
            exit::FAILED
        }
    }
}
