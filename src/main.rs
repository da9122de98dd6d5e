#![forbid(unsafe_code)]

/// mimalloc instead of glibc's allocator: under load glibc's malloc and free took about 14 % of
/// the server's CPU (perf, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mockexam::cli::main()
}
