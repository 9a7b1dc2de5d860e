//! The `nomos` binary: parse arguments, run the command, exit with its code.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    nomos::cli::run(std::env::args_os())
}
