//! Compiles `tests/c/test_api.c` against the static library with the
//! system C compiler (found by the `cc` crate) and runs it on the shared
//! cases. The C program checks the cases, scoring from fields, and every
//! kind of malformed input; this test asserts its exit status and summary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Libraries a Rust static library needs from the platform when linked
/// into a C program (`rustc --print native-static-libs`).
#[cfg(target_os = "linux")]
const NATIVE_LIBS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];
#[cfg(target_os = "macos")]
const NATIVE_LIBS: &[&str] = &["-lSystem", "-lc", "-lm"];
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
const NATIVE_LIBS: &[&str] = &[];

/// The directory cargo puts this profile's libraries in: the test binary
/// lives in its `deps` subdirectory.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let deps = exe.parent().expect("the test binary is in a directory");
    deps.parent()
        .expect("deps is inside the profile directory")
        .to_path_buf()
}

/// Compiles one C source with the library linked in and returns the
/// executable's path.
pub fn compile_c(source: &Path, name: &str) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let profile = profile_dir();
    // `cargo build` copies the library up into the profile directory;
    // `cargo test` alone leaves it in `deps`.
    let staticlib = ["deps/libclicksift_capi.a", "libclicksift_capi.a"]
        .iter()
        .map(|name| profile.join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| profile.join("deps/libclicksift_capi.a"));
    assert!(
        staticlib.exists(),
        "{} is missing; cargo builds it with the crate",
        staticlib.display()
    );
    let target = env!("CLICKSIFT_TARGET");
    let compiler = cc::Build::new()
        .target(target)
        .host(target)
        .opt_level(1)
        .debug(false)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .get_compiler();
    let exe = profile.join(name);
    let status = compiler
        .to_command()
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(source)
        .arg(&staticlib)
        .args(NATIVE_LIBS)
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("the C compiler runs");
    assert!(status.success(), "compiling {} failed", source.display());
    exe
}

#[test]
fn c_program_passes_every_check() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = compile_c(&crate_dir.join("tests/c/test_api.c"), "clicksift_test_api");
    let cases = crate_dir.join("../../fixtures/cases/cases.jsonl");
    let output = Command::new(&exe)
        .arg(&cases)
        .output()
        .expect("the C test runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the C test failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(", 0 failed"),
        "unexpected summary:\n{stdout}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn example_program_scores_a_click() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = compile_c(
        &crate_dir.join("examples/score.c"),
        "clicksift_example_score",
    );
    let output = Command::new(&exe).output().expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the example failed:\n{stdout}");
    assert!(stdout.contains("machine"), "{stdout}");
    assert!(stdout.contains("link_preview"), "{stdout}");
}
