//! The `nomos` binary: parse arguments, run the command, exit with its code.

use std::process::ExitCode;

fn main() -> ExitCode {
    nomos::cli::run(std::env::args_os())
}
