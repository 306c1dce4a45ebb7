//! The `amlgen` command line: the only place that prints or sets the exit
//! code. Exit codes: 0 clean (warnings allowed), 1 posture errors, 2 usage
//! or input/output errors.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use amlgen::diag::{Code, render};
use amlgen::driver;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "amlgen",
    version,
    about = "Checks Azure Machine Learning network postures against the platform's rules and emits Bicep, ARM JSON and a report",
    long_about = None,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check posture files and report every problem.
    Check(CheckArgs),
    /// Check, then emit Bicep, ARM JSON, reports and the build manifest.
    Build(BuildArgs),
    /// Print the long explanation of a diagnostic code.
    Explain {
        /// A code (`AML3003`) or its name (`rule-kind-not-allowed`).
        code: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct CheckArgs {
    /// Posture files, or directories searched for `*.aml` (default: `examples`).
    paths: Vec<PathBuf>,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    /// Treat every warning as an error.
    #[arg(long)]
    deny_warnings: bool,
    /// Silence warnings and notes of a code or name (repeatable).
    #[arg(long, value_name = "CODE")]
    allow: Vec<String>,
    /// Treat warnings of a code or name as errors (repeatable).
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// The previous build's manifest (default: `<out>/amlgen.lock.json` if present).
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// The output directory whose manifest is the previous build.
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// When to colour human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    check: CheckArgs,
    /// Build in memory and compare with the output directory: print a diff
    /// of what would change and exit 1 if anything would.
    #[arg(long = "check")]
    drift: bool,
    /// A directory of `*.hbs` templates overriding the embedded ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Build(args) => build(&args),
        Command::Explain { code } => explain(&code),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn parse_codes(words: &[String], flag: &str) -> Result<Vec<Code>, String> {
    words
        .iter()
        .map(|w| {
            Code::parse(w).ok_or_else(|| format!("`{flag} {w}`: no such diagnostic code or name"))
        })
        .collect()
}

fn check(args: &CheckArgs) -> ExitCode {
    match compile_and_report(args) {
        Ok(outcome) if outcome.has_errors() => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn build(args: &BuildArgs) -> ExitCode {
    let outcome = match compile_and_report(&args.check) {
        Ok(o) if o.has_errors() => {
            eprintln!(
                "amlgen: nothing was built; `{}` is unchanged",
                args.check.out.display()
            );
            return ExitCode::from(1);
        }
        Ok(o) => o,
        Err(code) => return code,
    };
    let options = amlgen::emit::BuildOptions {
        templates: args.templates.clone(),
        ..amlgen::emit::BuildOptions::default()
    };
    let out = &args.check.out;
    let mut count = 0usize;
    let produce = |sink: &mut amlgen::emit::Sink| {
        driver::emit_into(&outcome, &options, &mut |path, text| {
            count += 1;
            sink(path, text)
        })
    };
    if args.drift {
        let drifts = match driver::drift_with(out, produce) {
            Ok(d) => d,
            Err(e) => return usage_error(&e),
        };
        if drifts.is_empty() {
            eprintln!("amlgen: `{}` is up to date ({count} files)", out.display());
            return ExitCode::SUCCESS;
        }
        let mut text = String::new();
        for d in &drifts {
            match d {
                driver::Drift::Missing(p) => {
                    let _ = writeln!(text, "missing: {p} (the build makes it)");
                }
                driver::Drift::Extra(p) => {
                    let _ = writeln!(text, "extra: {p} (the build does not make it)");
                }
                driver::Drift::Changed(_, diff) => text.push_str(diff),
            }
        }
        let _ = std::io::stdout().write_all(text.as_bytes());
        eprintln!(
            "amlgen: `{}` is out of date: {} file(s) differ; run `amlgen build` and commit the result",
            out.display(),
            drifts.len()
        );
        return ExitCode::from(1);
    }
    match driver::write_atomic_with(out, produce) {
        Ok(()) => {
            eprintln!("amlgen: wrote {count} files to `{}`", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&e),
    }
}

/// Compiles and prints the diagnostics; `Err` is an exit code for usage or
/// output errors.
fn compile_and_report(args: &CheckArgs) -> Result<driver::Outcome, ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("examples")]
    } else {
        args.paths.clone()
    };
    let options = match (|| -> Result<driver::Options, String> {
        Ok(driver::Options {
            previous: driver::read_previous(args.previous.as_deref(), &args.out)?,
            deny_warnings: args.deny_warnings,
            allow: parse_codes(&args.allow, "--allow")?,
            deny: parse_codes(&args.deny, "--deny")?,
        })
    })() {
        Ok(o) => o,
        Err(e) => return Err(usage_error(&e)),
    };
    let inputs = match driver::collect_paths(&paths).and_then(|p| driver::read_inputs(&p)) {
        Ok(i) => i,
        Err(e) => return Err(usage_error(&e)),
    };
    let outcome = driver::compile(inputs, &options);
    let text = match args.format {
        FormatArg::Human => {
            let color = match args.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => {
                    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            render::human(&outcome.diagnostics, &outcome.sources, color)
        }
        FormatArg::Json => render::json(&outcome.diagnostics, &outcome.sources),
        FormatArg::Sarif => render::sarif(&outcome.diagnostics, &outcome.sources),
    };
    // Human diagnostics go to stderr; machine formats are the command's output.
    let written = match args.format {
        FormatArg::Human => std::io::stderr().write_all(text.as_bytes()),
        FormatArg::Json | FormatArg::Sarif => std::io::stdout().write_all(text.as_bytes()),
    };
    if written.is_err() {
        return Err(ExitCode::from(2));
    }
    Ok(outcome)
}

fn explain(word: &str) -> ExitCode {
    let Some(code) = Code::parse(word) else {
        let ids: Vec<&str> = Code::ALL.iter().map(|c| c.id()).collect();
        let hint = amlgen::diag::suggest::closest(word, ids.iter().copied())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        return usage_error(&format!("no diagnostic code or name `{word}`{hint}"));
    };
    print!("{}", amlgen::diag::explain::explanation(code));
    ExitCode::SUCCESS
}
