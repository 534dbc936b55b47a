//! The `clicksift` command-line tool.

#[allow(dead_code)]
mod asn_db;

fn main() {
    std::process::exit(2);
}
