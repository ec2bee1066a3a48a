fn main() -> std::process::ExitCode {
    dashboard::main()
}
