//! The `amlgen` command line: the only place that prints or sets the exit
//! code. Exit codes: 0 clean (warnings allowed), 1 posture errors, 2 usage
//! or input/output errors. `policy eval` exits 0 when it evaluated every
//! resource, whatever the verdicts, and 2 on a usage, input/output or
//! unsupported-construct error.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use amlgen::diag::{Code, render};
use amlgen::driver;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// mimalloc instead of the system allocator: a build allocates and frees
/// many small strings and JSON nodes on every thread, and the system
/// allocator's bookkeeping was a quarter of a fleet build's time (the
/// fleet benchmark, which uses the same allocator, ran about 30% faster).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    #[command(
        after_help = "Examples:\n  amlgen check                     # examples/, else every *.aml below the current directory\n  amlgen check landing-zone/ --format sarif > amlgen.sarif\n  cat posture.aml | amlgen check -"
    )]
    Check(CheckArgs),
    /// Check, then emit Bicep, ARM JSON, reports and the build manifest.
    #[command(
        after_help = "Examples:\n  amlgen build                     # into out/, with the targets out/ was built with\n  amlgen build postures/ --out out --target all\n  amlgen build --check             # exit 1 when out/ is not what the postures build"
    )]
    Build(BuildArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell,
    /// elvish) on standard output.
    #[command(
        after_help = "Example:\n  amlgen completions bash > ~/.local/share/bash-completion/completions/amlgen\n  amlgen completions zsh > \"${fpath[1]}/_amlgen\""
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the long explanation of a diagnostic code.
    #[command(after_help = "Example:\n  amlgen explain AML3003")]
    Explain {
        /// A code (`AML3003`) or its name (`rule-kind-not-allowed`).
        code: String,
    },
    /// Write a posture from files that say what is deployed (`az resource
    /// show`, `az ml workspace show -o json`, `az network private-endpoint
    /// show`, `az role assignment list`, `az group export`, an `az ml`
    /// workspace YAML). Exit 1 when the files describe no workspace or
    /// cannot be read.
    #[command(
        after_help = "Example:\n  az resource show --ids <workspace id> > workspace.json\n  amlgen import workspace.json -o workspace.aml"
    )]
    Import(ImportArgs),
    /// Compare what a posture builds with what is deployed, per workspace:
    /// each difference a diagnostic saying what the next deployment does
    /// about it. Exit 1 on any difference.
    #[command(
        after_help = "Example:\n  amlgen diff workspace.aml --deployed workspace.json private-endpoint.json"
    )]
    Diff(DiffArgs),
    /// Run the language server (LSP over standard input and output) that
    /// editors start: diagnostics, hover, completion, definitions,
    /// formatting and quick fixes.
    #[command(after_help = "Example (what an editor runs):\n  amlgen lsp")]
    Lsp,
    /// Lay posture files out the one way (`amlgen fmt examples`); with
    /// `--check`, change nothing, list the files that would change and exit
    /// 1 if any. A file with a syntax error is reported and left alone (exit 1).
    #[command(
        after_help = "Examples:\n  amlgen fmt                       # every *.aml below the current directory\n  amlgen fmt --check examples      # exit 1 and list the files that would change"
    )]
    Fmt(FmtArgs),
    /// Work with Azure Policy definitions offline.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Args)]
struct FmtArgs {
    /// Posture files, or directories searched recursively for `*.aml`
    /// (default: the current directory); `-` formats standard input to
    /// standard output.
    paths: Vec<PathBuf>,
    /// Write nothing: list the files that are not formatted, exit 1 if any.
    #[arg(long)]
    check: bool,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Evaluate a policy definition's rule against ARM resources, one line
    /// per resource: `FILE: <effect> (matched)`, `FILE: compliant (not
    /// matched)` or `FILE: not applicable (Indexed mode: ...)`; with
    /// `--related`, an existence check's outcome too. Exit 0 when
    /// every resource was evaluated, whatever the verdicts; 2 on a usage,
    /// input/output or unsupported-construct error.
    #[command(
        after_help = "Example:\n  amlgen policy eval --policy policies/compute-public-ip.json --param effect=Deny compute.json"
    )]
    Eval(PolicyEvalArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum PolicyFormatArg {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum EscapingArg {
    /// `[[` is read as `[` when every expression of the file is written `[[`.
    Auto,
    /// The file is embedded in an ARM template (Enterprise-Scale): `[[` is `[`.
    Template,
    /// The definition as Azure Policy stores it.
    Direct,
}

#[derive(Args)]
struct PolicyEvalArgs {
    /// The policy definition (built-in, Enterprise-Scale, ALZ or bare `{policyRule}` JSON).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// An assignment parameter value, as JSON (text that is not JSON is a string; repeatable).
    #[arg(long = "param", value_name = "NAME=JSON")]
    params: Vec<String>,
    /// Output format of the verdicts.
    #[arg(long, value_enum, default_value = "human")]
    format: PolicyFormatArg,
    /// The subscription id `subscription()` returns (default: from the resource's `id`).
    #[arg(long, value_name = "ID")]
    subscription: Option<String>,
    /// The resource group name `resourceGroup()` returns (default: from the resource's `id`).
    #[arg(long, value_name = "NAME")]
    resource_group: Option<String>,
    /// The API version `requestContext().apiVersion` returns (default: the resource's `apiVersion`).
    #[arg(long, value_name = "VERSION")]
    api_version: Option<String>,
    /// How `[[` reads in the definition file.
    #[arg(long, value_enum, default_value = "auto")]
    escaping: EscapingArg,
    /// A test aid, never for real definitions: a `field` that is neither a
    /// built-in field nor an alias reads that raw path of the resource JSON
    /// (`properties.x[*].y`) instead of being an error, and a resource may
    /// lack `type`. For rules written against raw paths, such as test suites.
    #[arg(long)]
    raw_paths: bool,
    /// The related resources an auditIfNotExists / deployIfNotExists
    /// existence check finds (a JSON array of ARM resources, or one):
    /// with it the check is made, and the effect applies only when none
    /// satisfies it.
    #[arg(long, value_name = "FILE")]
    related: Option<PathBuf>,
    /// ARM resource JSON files, one resource each.
    #[arg(required = true, value_name = "RESOURCE.json")]
    resources: Vec<PathBuf>,
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
    /// Posture files, directories searched for `*.aml`, or `-` for one
    /// posture on standard input (default: `examples` when there is one,
    /// else the current directory).
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
    /// Show a finding repeated in several workspaces once per workspace
    /// (by default it is shown once, naming the others).
    #[arg(long, short)]
    verbose: bool,
    /// With `--format sarif`: the absolute URI under which the code pages
    /// (`docs/codes/AMLxxxx.md`) are published, for each rule's `helpUri`,
    /// e.g. `https://github.com/org/postures/blob/main/tools/amlgen/docs/codes/`.
    #[arg(long, value_name = "URI", value_parser = help_uri_base)]
    help_uri_base: Option<String>,
    /// The build's date, against which accepted risks expire (default:
    /// today's date in UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_today)]
    today: Option<amlgen::ir::Date>,
}

/// `--help-uri-base`: an absolute `https://` (or `http://`) URI.
fn help_uri_base(text: &str) -> Result<String, String> {
    if render::valid_help_base(text) {
        Ok(text.to_string())
    } else {
        Err("expected an absolute `https://` URI with no query or fragment, under which `AML3004.md` and the other code pages are published".to_string())
    }
}

/// A `--today` date.
fn parse_today(s: &str) -> Result<amlgen::ir::Date, String> {
    amlgen::ir::Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a date `YYYY-MM-DD` (from 2000)"))
}

/// Where the deployed files' templates were deployed, and how to report.
#[derive(Args)]
struct DeployedArgs {
    /// The subscription a template's `subscription()` and `resourceId()`
    /// name (default: the one in the files' ids, else a zero GUID).
    #[arg(long, value_name = "GUID")]
    subscription_id: Option<String>,
    /// The resource group a template's `resourceGroup()` and
    /// `resourceId()` name (default: the one in the files' ids).
    #[arg(long, value_name = "NAME")]
    resource_group: Option<String>,
    /// The largest deployed file read, in bytes (default and most: 32 MiB).
    #[arg(long, value_name = "BYTES")]
    max_file_bytes: Option<u64>,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    /// When to colour human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
}

#[derive(Args)]
struct ImportArgs {
    /// Files describing deployed resources (JSON or YAML).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the posture here (default: standard output).
    #[arg(long, short, value_name = "FILE.aml")]
    output: Option<PathBuf>,
    #[command(flatten)]
    deployed: DeployedArgs,
}

#[derive(Args)]
struct DiffArgs {
    /// Files describing deployed resources, as `import` reads them.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    deployed: Vec<PathBuf>,
    /// Posture files, or directories searched for `*.aml` (default: `examples` when there is one, else the current directory).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    options: DeployedArgs,
    /// The build's date, against which accepted risks expire (default:
    /// today's date in UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_today)]
    today: Option<amlgen::ir::Date>,
}

#[derive(Args)]
// Command-line switches are booleans by nature.
#[allow(clippy::struct_excessive_bools)]
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
    /// How policy blocks are laid out: `plain`, or `epac` to add the
    /// Enterprise Policy as Code folders.
    #[arg(long, value_enum, default_value = "plain")]
    policy_layout: LayoutArg,
    /// Drop from the output the workspaces the previous manifest knows that
    /// these postures do not declare (without it, the build refuses: AML9002).
    #[arg(long)]
    prune: bool,
    /// What to build: `bicep` (with its ARM JSON), `terraform` (azapi root
    /// modules) or `all` (repeatable). Without it, the targets the previous
    /// manifest records (Bicep when there is none).
    #[arg(long = "target", value_enum, value_name = "TARGET")]
    targets: Vec<TargetArg>,
    /// Threads that render workspaces (default: one per core). The output
    /// is the same whatever it is.
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// Render every workspace. By default `build` does not render a
    /// workspace whose inputs (the posture, the options and amlgen's own
    /// source) hash as the output's manifest records and whose files are
    /// there as recorded: it carries its files over. The output is the
    /// same either way. (`build --check` always renders every workspace,
    /// unless `--skip-unchanged`.)
    #[arg(long, conflicts_with = "skip_unchanged")]
    render_all: bool,
    /// With `--check`: do not render a workspace whose inputs hash as the
    /// output's manifest records and whose files are on disk as recorded.
    /// Faster, but it trusts the manifest in the output directory: a file
    /// edited together with its recorded hash is not seen. Not for a check
    /// that guards what others commit.
    #[arg(long, requires = "drift")]
    skip_unchanged: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetArg {
    Bicep,
    Terraform,
    All,
}

/// The targets of a build: those given, else those the previous manifest
/// records, else Bicep.
fn targets(args: &BuildArgs) -> Vec<amlgen::manifest::Target> {
    use amlgen::manifest::{Manifest, Target, bicep_only};
    let mut out: Vec<Target> = args
        .targets
        .iter()
        .flat_map(|t| match t {
            TargetArg::Bicep => vec![Target::Bicep],
            TargetArg::Terraform => vec![Target::Terraform],
            TargetArg::All => vec![Target::Bicep, Target::Terraform],
        })
        .collect();
    if out.is_empty() {
        out = driver::read_previous(args.check.previous.as_deref(), &args.check.out)
            .ok()
            .flatten()
            .and_then(|(_, text)| Manifest::parse(&text).ok())
            .map_or_else(bicep_only, |m| m.targets);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    Plain,
    Epac,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Build(args) => build(&args),
        Command::Explain { code } => explain(&code),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "amlgen",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Import(args) => import(&args),
        Command::Diff(args) => diff(&args),
        Command::Lsp => amlgen::lsp::run().map_or_else(|e| usage_error(&e), |()| ExitCode::SUCCESS),
        Command::Fmt(args) => fmt(&args),
        Command::Policy {
            command: PolicyCommand::Eval(args),
        } => policy_eval(&args),
    }
}

/// `amlgen fmt`: formats each file in place, or lists it (`--check`).
fn fmt(args: &FmtArgs) -> ExitCode {
    if args.paths.len() == 1 && args.paths[0].as_os_str() == "-" {
        return fmt_stdin(args.check);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = match driver::collect_paths(&paths) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let mut failed = false;
    for path in files {
        let name = driver::display_name(&path);
        if path.as_os_str() == "-" {
            return usage_error("`-` (standard input) must be the only path");
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => return usage_error(&format!("cannot read `{name}`: {e}")),
        };
        match amlgen::syntax::fmt::format(&text) {
            Ok(out) if out == text => {}
            Ok(_) if args.check => {
                println!("{name}");
                failed = true;
            }
            Ok(out) => {
                if let Err(e) = std::fs::write(&path, out) {
                    return usage_error(&format!("cannot write `{name}`: {e}"));
                }
            }
            Err(diags) => {
                fmt_refused(&diags, name, text);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `amlgen fmt -`: standard input formatted to standard output; with
/// `--check`, nothing printed and exit 1 when it is not formatted.
fn fmt_stdin(check: bool) -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
        return usage_error(&format!("cannot read standard input: {e}"));
    }
    match amlgen::syntax::fmt::format(&text) {
        Ok(out) if check => ExitCode::from(u8::from(out != text)),
        Ok(out) => match std::io::stdout().write_all(out.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(2),
        },
        Err(diags) => {
            fmt_refused(&diags, "<stdin>".into(), text);
            ExitCode::from(1)
        }
    }
}

/// Prints the syntax errors of a file `fmt` leaves alone.
fn fmt_refused(diags: &[amlgen::diag::Diagnostic], name: String, text: String) {
    let mut sources = amlgen::source::SourceMap::default();
    sources.add(amlgen::source::SourceFile::new(name, text));
    eprint!(
        "{}",
        render::human(diags, &sources, color_of(ColorArg::Auto))
    );
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
    match compile_and_report(args, false) {
        Ok(outcome) if outcome.has_errors() => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn build(args: &BuildArgs) -> ExitCode {
    let outcome = match compile_and_report(&args.check, !args.prune) {
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
        policy_layout: match args.policy_layout {
            LayoutArg::Plain => amlgen::emit::policy::Layout::Plain,
            LayoutArg::Epac => amlgen::emit::policy::Layout::Epac,
        },
        targets: targets(args),
        jobs: args.jobs,
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
        let drifts = match if args.skip_unchanged {
            driver::drift_reusing(out, &outcome, &options).map(|(d, n)| {
                count = n;
                d
            })
        } else {
            driver::drift_with(out, produce)
        } {
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
    let written = if args.render_all {
        driver::write_atomic_with(out, produce).map(|()| (count, 0))
    } else {
        driver::write_reusing(out, &outcome, &options)
    };
    match written {
        Ok((count, 0)) => {
            eprintln!("amlgen: wrote {count} files to `{}`", out.display());
            ExitCode::SUCCESS
        }
        Ok((count, reused)) => {
            eprintln!(
                "amlgen: wrote {count} files to `{}` ({reused} of unchanged workspaces carried over)",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&e),
    }
}

/// Compiles and prints the diagnostics; `Err` is an exit code for usage or
/// output errors. `keep_known`: a build that must keep every workspace the
/// previous manifest knows.
fn compile_and_report(args: &CheckArgs, keep_known: bool) -> Result<driver::Outcome, ExitCode> {
    let paths = if args.paths.is_empty() {
        driver::default_paths()
    } else {
        args.paths.clone()
    };
    let options = match (|| -> Result<driver::Options, String> {
        Ok(driver::Options {
            today: args.today.unwrap_or_else(driver::today_utc),
            previous: driver::read_previous(args.previous.as_deref(), &args.out)?,
            deny_warnings: args.deny_warnings,
            allow: parse_codes(&args.allow, "--allow")?,
            deny: parse_codes(&args.deny, "--deny")?,
            keep_known,
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
    let diags = &outcome.diagnostics;
    let written = match args.format {
        FormatArg::Human => {
            let mut text =
                render::human_grouped(diags, &outcome.sources, color_of(args.color), args.verbose);
            if !outcome.has_errors() {
                let (errors, warnings) = render::counts(diags);
                text.push_str(&render::run_summary(&render::RunSummary {
                    files: outcome.sources.iter().count(),
                    workspaces: outcome
                        .checked
                        .as_ref()
                        .map_or(0, |c| c.posture().workspaces.len()),
                    errors,
                    warnings,
                    accepted: outcome.accepted,
                }));
                text.push('\n');
            }
            std::io::stderr().write_all(text.as_bytes())
        }
        FormatArg::Sarif => {
            // Accepted findings are SARIF results with an in-source suppression.
            let suppressed: Vec<render::Suppressed> = outcome
                .accepted_risks
                .iter()
                .map(|f| render::Suppressed {
                    diagnostic: &f.diagnostic,
                    justification: format!(
                        "{} (accepted by {} until {})",
                        f.accept.reason, f.accept.by, f.accept.expires
                    ),
                    at: f.accept.span,
                })
                .collect();
            let root = std::env::current_dir().ok();
            let root = root.as_deref().map(std::path::Path::to_string_lossy);
            let text = render::sarif_full(
                diags,
                &suppressed,
                &outcome.sources,
                root.as_deref(),
                args.help_uri_base.as_deref(),
            );
            std::io::stdout().write_all(text.as_bytes())
        }
        FormatArg::Json => {
            return report(diags, &outcome.sources, FormatArg::Json, args.color).map(|()| outcome);
        }
    };
    written.map_err(|_| ExitCode::from(2))?;
    Ok(outcome)
}

fn color_of(c: ColorArg) -> bool {
    match c {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Prints diagnostics (human to stderr, machine formats to stdout).
fn report(
    diags: &[amlgen::diag::Diagnostic],
    sources: &amlgen::source::SourceMap,
    format: FormatArg,
    color: ColorArg,
) -> Result<(), ExitCode> {
    let written = match format {
        FormatArg::Human => {
            std::io::stderr().write_all(render::human(diags, sources, color_of(color)).as_bytes())
        }
        FormatArg::Json => std::io::stdout().write_all(render::json(diags, sources).as_bytes()),
        FormatArg::Sarif => {
            let root = std::env::current_dir().ok();
            let root = root.as_deref().map(std::path::Path::to_string_lossy);
            std::io::stdout()
                .write_all(render::sarif_in(diags, sources, root.as_deref(), None).as_bytes())
        }
    };
    written.map_err(|_| ExitCode::from(2))
}

fn scope_of(args: &DeployedArgs) -> amlgen::deployed::read::Scope {
    amlgen::deployed::read::Scope {
        subscription_id: args.subscription_id.clone(),
        resource_group: args.resource_group.clone(),
        max_file_bytes: args.max_file_bytes,
    }
}

fn import(args: &ImportArgs) -> ExitCode {
    let mut sources = amlgen::source::SourceMap::default();
    let mut diags = amlgen::diag::Diagnostics::default();
    let resources = match amlgen::driver::read_deployed(
        &args.files,
        &scope_of(&args.deployed),
        &mut sources,
        &mut diags,
    ) {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let observed = amlgen::deployed::observe::observe(&resources);
    let text = amlgen::import::posture(&observed, &mut diags);
    let failed = diags.has_errors();
    let diags = diags.into_sorted();
    if let Err(code) = report(&diags, &sources, args.deployed.format, args.deployed.color) {
        return code;
    }
    if failed {
        return ExitCode::from(1);
    }
    let written = match &args.output {
        Some(p) => std::fs::write(p, &text).map_err(|e| format!("cannot write `{}`: {e}", p.display())),
        None if matches!(args.deployed.format, FormatArg::Human) => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string()),
        None => Err("`--format json` and `sarif` print diagnostics on standard output: write the posture with `--output FILE`".to_string()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(&e),
    }
}

fn diff(args: &DiffArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        driver::default_paths()
    } else {
        args.paths.clone()
    };
    let inputs = match driver::collect_paths(&paths).and_then(|p| driver::read_inputs(&p)) {
        Ok(i) => i,
        Err(e) => return usage_error(&e),
    };
    let mut outcome = driver::compile(
        inputs,
        &driver::Options {
            today: args.today.unwrap_or_else(driver::today_utc),
            ..driver::Options::default()
        },
    );
    let mut diags = amlgen::diag::Diagnostics::default();
    diags.extend(outcome.diagnostics.drain(..));
    let resources = match amlgen::driver::read_deployed(
        &args.deployed,
        &scope_of(&args.options),
        &mut outcome.sources,
        &mut diags,
    ) {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let observed = amlgen::deployed::observe::observe(&resources);
    if let Some(checked) = &outcome.checked {
        amlgen::drift::diff(checked, &outcome.sources, &observed, &mut diags);
    }
    let failed = diags.has_errors();
    let diags = diags.into_sorted();
    if let Err(code) = report(
        &diags,
        &outcome.sources,
        args.options.format,
        args.options.color,
    ) {
        return code;
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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

fn read_json(path: &std::path::Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("`{}` is not JSON: {e}", path.display()))
}

/// `--param NAME=JSON` values: JSON, except that a parameter declared as a
/// string takes the text as it is, and text that is not JSON is a string.
fn parse_params(
    words: &[String],
    definition: &amlgen::policy::Definition,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut out = serde_json::Map::new();
    for w in words {
        let Some((name, text)) = w.split_once('=') else {
            return Err(format!("`--param {w}`: expected NAME=JSON"));
        };
        if name.is_empty() {
            return Err(format!("`--param {w}`: the parameter name is empty"));
        }
        let as_text = matches!(definition.parameter_type(name), Some("String" | "DateTime"));
        let value = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v @ serde_json::Value::String(_)) => v,
            Ok(_) if as_text => serde_json::Value::String(text.to_string()),
            Ok(v) => v,
            Err(_) => serde_json::Value::String(text.to_string()),
        };
        if out.insert(name.to_string(), value).is_some() {
            return Err(format!("`--param {name}` is given twice"));
        }
    }
    Ok(out)
}

/// `--related FILE`: a JSON array of related resources, or one resource.
fn read_related(path: &std::path::Path) -> Result<Vec<serde_json::Value>, String> {
    Ok(match read_json(path)? {
        serde_json::Value::Array(found) => found,
        one => vec![one],
    })
}

/// A verdict as `policy eval` prints it after the file name.
fn verdict_line(v: &amlgen::policy::Verdict) -> String {
    if !v.applicable {
        return "not applicable (Indexed mode: the resource type supports no tags and location)"
            .to_string();
    }
    if !v.matched {
        return "compliant (not matched)".to_string();
    }
    match &v.existence {
        Some(e) => match e.satisfied_by {
            Some(i) => format!(
                "compliant (matched; related resource {} satisfies the existence check)",
                i + 1
            ),
            None => format!(
                "{} (matched; no related resource satisfies the existence check)",
                v.effect
            ),
        },
        None => format!("{} (matched)", v.effect),
    }
}

fn policy_eval(args: &PolicyEvalArgs) -> ExitCode {
    use amlgen::policy::{Context, Definition, Escaping, ReadOptions};
    let escaping = match args.escaping {
        EscapingArg::Auto => Escaping::Auto,
        EscapingArg::Template => Escaping::Template,
        EscapingArg::Direct => Escaping::Direct,
    };
    let policy = args.policy.display();
    let options = ReadOptions {
        raw_paths: args.raw_paths,
        aliases: None,
    };
    let definition = match read_json(&args.policy).and_then(|v| {
        Definition::from_json_with(&v, escaping, options).map_err(|e| format!("`{policy}`: {e}"))
    }) {
        Ok(d) => d,
        Err(e) => return usage_error(&e),
    };
    let params = match parse_params(&args.params, &definition).and_then(|p| {
        definition
            .check_parameters(&p)
            .map(|()| p)
            .map_err(|e| format!("`{policy}`: {e}"))
    }) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let context = Context {
        subscription_id: args.subscription.clone(),
        resource_group: args.resource_group.clone(),
        api_version: args.api_version.clone(),
        ..Context::default()
    };
    let related = match args.related.as_deref().map(read_related).transpose() {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let mut failed = false;
    let mut text = String::new();
    let mut entries = Vec::new();
    for path in &args.resources {
        let shown = path.display().to_string();
        let verdict = read_json(path).and_then(|r| {
            match &related {
                None => definition.evaluate(&params, &r, &context),
                Some(found) => definition.evaluate_related(&params, &r, &context, found),
            }
            .map_err(|e| format!("`{shown}`: {e}"))
        });
        match verdict {
            Ok(v) => {
                let _ = writeln!(text, "{shown}: {}", verdict_line(&v));
                let mut entry = serde_json::json!({
                    "resource": shown,
                    "applicable": v.applicable,
                    "matched": v.matched,
                    "effect": v.effect,
                });
                if let Some(d) = &v.details {
                    entry["details"] = d.clone();
                }
                if let Some(e) = &v.existence {
                    entry["existence"] = serde_json::json!(e);
                }
                entries.push(entry);
            }
            Err(e) => {
                failed = true;
                eprintln!("error: {e}");
                entries.push(serde_json::json!({ "resource": shown, "error": e }));
            }
        }
    }
    if let PolicyFormatArg::Json = args.format {
        text = serde_json::to_string_pretty(&serde_json::Value::Array(entries)).unwrap_or_default();
        text.push('\n');
    }
    if std::io::stdout().write_all(text.as_bytes()).is_err() || failed {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
