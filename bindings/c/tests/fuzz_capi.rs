//! The `capi` fuzz target's body under plain `cargo test`: proptest feeds
//! it sessions, and the inputs it once failed on are replayed. The body and
//! its checks are in `fuzz/src/capi.rs`; `fuzz/` runs it for millions of
//! inputs with cargo-fuzz.

#[allow(dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz;

#[allow(dead_code)]
#[path = "../../../fuzz/src/capi.rs"]
mod capi;

use std::path::Path;

use proptest::prelude::*;

fn decode(data: &[u8]) -> Option<capi::Session> {
    fuzz::decode::<capi::Session>(data)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_session_through_the_c_abi(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Some(session) = decode(&data) {
            capi::session(&session);
        }
    }
}

/// `tests/fuzz_regressions/capi/headers-over-limit.fuzz`: fields with 65
/// headers, one more than the library takes, gave
/// `CLICKSIFT_STATUS_INVALID_INPUT` with line 0 and no field.
///
/// Cause: the C binding counted the headers itself, before reading them,
/// and made its own error without the record's line or the field, where
/// every other malformed click names both (`clicksift_error_record`).
#[test]
fn capi_passes_its_saved_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz_regressions/capi");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "fuzz"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the saved capi inputs are missing");
    for path in files {
        eprintln!("replaying {}", path.display());
        let session = decode(&std::fs::read(&path).unwrap()).expect("a saved input decodes");
        capi::session(&session);
    }
}

/// The saved input's cause, written out: 65 headers through
/// `clicksift_score_fields` name the record's line and the `headers` field.
#[test]
fn too_many_headers_name_the_line_and_field() {
    use clicksift_capi::{self as c, clicksift_status as Status};
    let text = |s: &'static str| c::clicksift_text {
        ptr: s.as_ptr().cast(),
        len: s.len(),
    };
    let names: Vec<String> = (0..=clicksift::click::MAX_HEADERS)
        .map(|i| format!("x-{i}"))
        .collect();
    let headers: Vec<c::clicksift_header> = names
        .iter()
        .map(|n| c::clicksift_header {
            name: c::clicksift_text {
                ptr: n.as_ptr().cast(),
                len: n.len(),
            },
            value: text("1"),
        })
        .collect();
    let absent = c::clicksift_text {
        ptr: std::ptr::null(),
        len: 0,
    };
    let fields = c::clicksift_click_fields {
        id: absent,
        kind: absent,
        campaign: text("c1"),
        recipient: text("ann@example.com"),
        link: absent,
        honeypot: false,
        at: text("2026-03-02T09:00:00Z"),
        sent_at: absent,
        delivered_at: absent,
        ip: text("86.12.44.9"),
        user_agent: absent,
        method: absent,
        url: absent,
        reverse_dns: absent,
        headers: headers.as_ptr(),
        header_count: headers.len(),
    };
    let (mut engine, mut cache, mut result, mut error) = (
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        std::ptr::null_mut(),
    );
    let mut line = 0;
    let mut field = c::clicksift_str {
        ptr: std::ptr::null(),
        len: 0,
    };
    // SAFETY: writable outputs, live handles and views into live memory;
    // every handle is freed once.
    unsafe {
        assert_eq!(
            c::clicksift_engine_new_default(&mut engine, std::ptr::null_mut()),
            Status::Ok
        );
        assert_eq!(c::clicksift_cache_new(&mut cache), Status::Ok);
        let status = c::clicksift_score_fields(engine, cache, &fields, 42, &mut result, &mut error);
        assert_eq!(status, Status::InvalidInput);
        assert!(result.is_null());
        assert_eq!(
            c::clicksift_error_record(error, &mut line, &mut field),
            Status::Ok
        );
        let field = std::slice::from_raw_parts(field.ptr.cast::<u8>(), field.len);
        assert_eq!((line, field), (42, &b"headers"[..]));
        c::clicksift_error_free(error);
        c::clicksift_cache_free(cache);
        c::clicksift_engine_free(engine);
    }
}
