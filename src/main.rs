#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    mockexam::cli::main()
}
