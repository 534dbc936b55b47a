//! Passes the target triple to the tests, which compile C programs for it.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=CLICKSIFT_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
