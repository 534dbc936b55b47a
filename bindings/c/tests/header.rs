//! The committed header must be what cbindgen generates from the crate
//! now. Run with `CLICKSIFT_BLESS=1` to rewrite it after changing the API.

use std::path::Path;

#[test]
fn committed_header_matches_cbindgen() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen parses the crate")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");

    let path = crate_dir.join("include/clicksift.h");
    if std::env::var_os("CLICKSIFT_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("include/clicksift.h is writable");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/clicksift.h differs from what cbindgen generates; regenerate it with \
         `CLICKSIFT_BLESS=1 cargo test -p clicksift-capi --test header` and commit it"
    );
}
