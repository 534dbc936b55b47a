//! Verdicts, sources and status codes as C enums with fixed numbers, and
//! their names.

use std::ffi::c_char;

use clicksift::{Source, Verdict};

/// The decision for one event. The numbers are fixed.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum clicksift_verdict {
    /// The recipient's own request.
    Human = 0,
    /// Not the recipient's own request.
    Machine = 1,
    /// The evidence is not strong enough either way.
    Uncertain = 2,
}

impl From<Verdict> for clicksift_verdict {
    fn from(v: Verdict) -> clicksift_verdict {
        match v {
            Verdict::Human => clicksift_verdict::Human,
            Verdict::Machine => clicksift_verdict::Machine,
            Verdict::Uncertain => clicksift_verdict::Uncertain,
        }
    }
}

/// Who the engine attributes a request to. The numbers are fixed.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum clicksift_source {
    /// The person the message was sent to.
    Recipient = 0,
    /// Another person, such as IT staff opening a reported message.
    Investigator = 1,
    /// A secure email gateway or URL-rewriting service.
    MailGateway = 2,
    /// A sandbox or detonation service.
    Sandbox = 3,
    /// A chat or search link preview.
    LinkPreview = 4,
    /// Office or browser prefetch and discovery requests.
    Prefetch = 5,
    /// A web crawler or monitoring robot.
    Crawler = 6,
    /// A script or HTTP library.
    Automation = 7,
    /// Not the recipient, but no more is known.
    Unknown = 8,
}

impl From<Source> for clicksift_source {
    fn from(s: Source) -> clicksift_source {
        match s {
            Source::Recipient => clicksift_source::Recipient,
            Source::Investigator => clicksift_source::Investigator,
            Source::MailGateway => clicksift_source::MailGateway,
            Source::Sandbox => clicksift_source::Sandbox,
            Source::LinkPreview => clicksift_source::LinkPreview,
            Source::Prefetch => clicksift_source::Prefetch,
            Source::Crawler => clicksift_source::Crawler,
            Source::Automation => clicksift_source::Automation,
            Source::Unknown => clicksift_source::Unknown,
        }
    }
}

/// A verdict's name as clicksift writes it (`human`, `machine`,
/// `uncertain`), NUL-terminated and static; NULL for an unknown number.
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn clicksift_verdict_name(verdict: u32) -> *const c_char {
    let name: &'static std::ffi::CStr = match verdict {
        0 => c"human",
        1 => c"machine",
        2 => c"uncertain",
        _ => return std::ptr::null(),
    };
    name.as_ptr()
}

/// A source's name as clicksift writes it (`recipient`, `mail_gateway`,
/// ...), NUL-terminated and static; NULL for an unknown number. Thread
/// safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn clicksift_source_name(source: u32) -> *const c_char {
    let name: &'static std::ffi::CStr = match source {
        0 => c"recipient",
        1 => c"investigator",
        2 => c"mail_gateway",
        3 => c"sandbox",
        4 => c"link_preview",
        5 => c"prefetch",
        6 => c"crawler",
        7 => c"automation",
        8 => c"unknown",
        _ => return std::ptr::null(),
    };
    name.as_ptr()
}

/// A status code's name (`ok`, `null_argument`, ...), NUL-terminated and
/// static; NULL for an unknown number. Thread safety: may be called from
/// any thread.
#[unsafe(no_mangle)]
pub extern "C" fn clicksift_status_name(status: u32) -> *const c_char {
    let name: &'static std::ffi::CStr = match status {
        0 => c"ok",
        1 => c"null_argument",
        2 => c"invalid_utf8",
        3 => c"invalid_input",
        4 => c"build_failed",
        5 => c"panic",
        6 => c"out_of_range",
        7 => c"invalid_state",
        _ => return std::ptr::null(),
    };
    name.as_ptr()
}

/// The version of clicksift, such as `0.1.0`, NUL-terminated and static.
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn clicksift_version() -> *const c_char {
    const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
    ) {
        Ok(v) => v,
        Err(_) => c"unknown",
    };
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::clicksift_status;

    #[test]
    fn every_source_has_its_library_name() {
        for source in Source::ALL {
            let code = clicksift_source::from(source) as u32;
            // SAFETY: the names are static NUL-terminated strings.
            let name = unsafe { std::ffi::CStr::from_ptr(clicksift_source_name(code)) };
            assert_eq!(name.to_str(), Ok(source.as_str()));
        }
        assert!(clicksift_source_name(9).is_null());
    }

    #[test]
    fn every_verdict_has_its_library_name() {
        for verdict in [Verdict::Human, Verdict::Machine, Verdict::Uncertain] {
            let code = clicksift_verdict::from(verdict) as u32;
            // SAFETY: as above.
            let name = unsafe { std::ffi::CStr::from_ptr(clicksift_verdict_name(code)) };
            assert_eq!(name.to_str(), Ok(verdict.as_str()));
        }
        assert!(clicksift_verdict_name(3).is_null());
    }

    #[test]
    fn status_names_follow_the_numbers() {
        let name = |s: clicksift_status| {
            // SAFETY: as above.
            unsafe { std::ffi::CStr::from_ptr(clicksift_status_name(s as u32)) }
        };
        assert_eq!(name(clicksift_status::Ok).to_str(), Ok("ok"));
        assert_eq!(
            name(clicksift_status::InvalidState).to_str(),
            Ok("invalid_state")
        );
        assert!(clicksift_status_name(8).is_null());
    }
}
