//! The `capi` target's body: clicksift's C ABI (`clicksift-capi`) called
//! the way a C program calls it, through raw pointers and length-counted
//! text, and checked against the library called directly.
//!
//! It is not a module of the fuzz library: the root crate's tests include
//! `lib.rs`, and the root crate cannot depend on the C binding (which
//! depends on it). `fuzz_targets/capi.rs` and the C binding's
//! `tests/fuzz_capi.rs` include this file and both name the shared
//! generators `crate::fuzz`: the target as an alias of the fuzz library,
//! the test as its own copy of `lib.rs`.
//!
//! One session takes an engine (the built-in one, or one from rule text,
//! both kept between sessions), makes a cache, a batch and a stream, runs
//! up to [`MAX_CALLS`] calls on them, and frees every handle it was given.
//! Each call is checked against the
//! header's promises: the status the library's own answer implies, never
//! `CLICKSIFT_STATUS_PANIC`; outputs written only on success; an error
//! object exactly when one was asked for and the call failed, carrying
//! that status, a message, and the record's line and field; scores of at
//! most 100; and results, batches and streams that equal what the library
//! gives for the same clicks.
//!
//! # Limitations
//!
//! Without a sanitizer (stable `-s none`) a leak of memory inside a handle
//! is not seen; the session only proves that every handle the ABI hands
//! out reaches its `_free` function exactly once.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CStr;
use std::ptr::{self, NonNull};
use std::rc::Rc;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use chrono::{DateTime, SecondsFormat, Utc};
use clicksift::campaign::{Judged, Stream, assess_log};
use clicksift::click::{MAX_FIELD_LEN, MAX_HEADERS};
use clicksift::{Assessment, BuildError, Cache, Click, ClickFields, Engine};
use clicksift_capi::{self as c, clicksift_status as Status};

use crate::fuzz::{ArbitraryClick, clip};

/// Most calls in one session.
pub const MAX_CALLS: usize = 24;

/// Longest rule text a session builds an engine from. Rule files are
/// fuzzed at length by the `rules` target; here the text only has to
/// reach both outcomes of `clicksift_engine_new`.
pub const MAX_RULES: usize = 1024;

/// Longest free text given for one field.
const MAX_FREE: usize = 64;

/// The name `clicksift_engine_new` gives rule text in diagnostics.
const RULES_NAME: &str = "rules";

/// The text fields of `clicksift_click_fields`, in the order of the struct.
const FIELDS: [&str; 13] = [
    "id",
    "kind",
    "campaign",
    "recipient",
    "link",
    "at",
    "sent_at",
    "delivered_at",
    "ip",
    "user_agent",
    "method",
    "url",
    "reverse_dns",
];

/// Rule texts that build, that do not, and that lean on the built-in
/// rules; free text reaches the rest.
const RULE_TEXTS: &[&str] = &[
    "",
    "[thresholds]\nmachine = 70\nhuman = 30\n",
    "[[rule]]\nid = \"local.scan\"\ndescription = \"Scanner paths\"\n\
     when = 'url contains [\"scan\"] or delay < 2'\nweight = 40\nsource = \"sandbox\"\n",
    "[[rule]]\nid = \"x\"\nwhen = 'delay <'\nweight = 500\n",
    "[thresholds]\nmachine = 10\nhuman = 90\n",
    "[[rule]]\nid = \"agent.headless\"\nwhen = 'method == \"GET\"'\nweight = 1\n",
];

// ---------------------------------------------------------------------
// What a session is made of.

/// Text handed to the ABI as a pointer and a length.
#[derive(Clone, Debug)]
pub enum Text {
    /// `{NULL, 0}`.
    Absent,
    /// These bytes, UTF-8 or not.
    Given(Vec<u8>),
    /// NULL with a non-zero length: refused as a NULL argument.
    Null(usize),
}

impl Text {
    fn of(s: &str) -> Text {
        Text::Given(s.as_bytes().to_vec())
    }

    fn view(&self) -> c::clicksift_text {
        match self {
            Text::Absent => c::clicksift_text {
                ptr: ptr::null(),
                len: 0,
            },
            Text::Given(b) => c::clicksift_text {
                ptr: b.as_ptr().cast(),
                len: b.len(),
            },
            Text::Null(len) => c::clicksift_text {
                ptr: ptr::null(),
                len: *len,
            },
        }
    }

    /// The text as the ABI reads an optional value, or the status it
    /// refuses it with.
    fn read(&self) -> std::result::Result<Option<String>, Status> {
        match self {
            Text::Absent => Ok(None),
            Text::Null(_) => Err(Status::NullArgument),
            Text::Given(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(Some(s.to_string())),
                Err(_) => Err(Status::InvalidUtf8),
            },
        }
    }

    /// As [`Text::read`] for a required value, where NULL is refused.
    fn read_required(&self) -> std::result::Result<String, Status> {
        match self.read()? {
            Some(s) => Ok(s),
            None => Err(Status::NullArgument),
        }
    }

    /// A mutation of a text: absent, NULL, free bytes, or over the length
    /// limit. The last is rare: copying and escaping its 16 KiB took a
    /// quarter of the target's time when it was as common as the others.
    fn mutant(u: &mut Unstructured<'_>) -> Result<Text> {
        if u.ratio(1, 64)? {
            return Ok(Text::Given("x".repeat(MAX_FIELD_LEN + 1).into_bytes()));
        }
        Ok(match u.int_in_range(0..=4u8)? {
            0 => Text::Absent,
            1 => Text::Null(u.int_in_range(1..=16)?),
            2 => Text::of(clip(<&str>::arbitrary(u)?, MAX_FREE)),
            _ => {
                let bytes = <&[u8]>::arbitrary(u)?;
                Text::Given(bytes[..bytes.len().min(MAX_FREE)].to_vec())
            }
        })
    }
}

/// A click record, given as JSON text or as the fields struct.
#[derive(Clone, Debug)]
pub struct Record {
    /// The field texts, in the order of [`FIELDS`].
    pub texts: Vec<Text>,
    /// `honeypot`.
    pub honeypot: bool,
    /// The headers, names then values.
    pub headers: Vec<(Text, Text)>,
    /// Passes a NULL header array with a count of this many.
    pub null_headers: Option<usize>,
    /// Whether the record goes in as JSON rather than fields.
    pub json: Option<Vec<u8>>,
}

impl<'a> Arbitrary<'a> for Record {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let click = ArbitraryClick::arbitrary(u)?.0;
        let mut record = Record::from_click(&click);

        // A few fields changed to what a careless caller passes.
        for _ in 0..u.int_in_range(0..=2u8)? {
            let at = u.choose_index(FIELDS.len())?;
            record.texts[at] = Text::mutant(u)?;
        }
        if u.ratio(1, 8)? {
            record.headers.push((Text::mutant(u)?, Text::mutant(u)?));
        }
        if u.ratio(1, 32)? {
            // One more distinct header than the library takes.
            record.headers = (0..=MAX_HEADERS)
                .map(|i| (Text::of(&format!("x-fuzz-{i}")), Text::of("1")))
                .collect();
        }
        if u.ratio(1, 32)? {
            record.null_headers = Some(u.int_in_range(1..=4)?);
        }
        if u.ratio(1, 2)? {
            record.json = Some(json_text(&record, u)?);
        }
        Ok(record)
    }
}

impl Record {
    fn from_click(click: &Click) -> Record {
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
        let opt = |v: Option<String>| v.map_or(Text::Absent, |s| Text::Given(s.into_bytes()));
        let texts = vec![
            opt(click.id.clone()),
            Text::of(click.kind.as_str()),
            Text::of(&click.campaign),
            Text::of(&click.recipient),
            opt(click.link.clone()),
            Text::of(&time(click.at)),
            opt(click.sent_at.map(time)),
            opt(click.delivered_at.map(time)),
            opt(click.ip.map(|ip| ip.to_string())),
            opt(click.user_agent.clone()),
            Text::of(&click.method),
            opt(click.url.clone()),
            opt(click.reverse_dns.clone()),
        ];
        let headers = click
            .headers
            .iter()
            .map(|(n, v)| (Text::of(n), Text::of(v)))
            .collect();
        Record {
            texts,
            honeypot: click.honeypot,
            headers,
            null_headers: None,
            json: None,
        }
    }

    /// The fields as the ABI reads them: a [`Click`] or the refusal.
    fn expected(&self, line: u64) -> std::result::Result<Click, Refusal> {
        if let Some(json) = &self.json {
            let text =
                std::str::from_utf8(json).map_err(|_| Refusal::status(Status::InvalidUtf8))?;
            return Click::from_json(text, line).map_err(|e| Refusal::record(e.field()));
        }
        let fields = self.fields().map_err(Refusal::any_of)?;
        fields
            .validate(line)
            .map_err(|e| Refusal::record(e.field()))
    }

    /// The texts as [`ClickFields`], or every status a text is refused
    /// with: the header leaves open which refusal a call reports first.
    fn fields(&self) -> std::result::Result<ClickFields, Vec<Status>> {
        let mut refused = Vec::new();
        let mut read = |t: &Text| match t.read() {
            Ok(v) => v,
            Err(s) => {
                refused.push(s);
                None
            }
        };
        let t: Vec<Option<String>> = self.texts.iter().map(&mut read).collect();
        let headers = self.header_map().unwrap_or_else(|s| {
            refused.extend(s);
            BTreeMap::new()
        });
        if !refused.is_empty() {
            return Err(refused);
        }
        let mut t = t.into_iter();
        let mut next = || t.next().flatten();
        Ok(ClickFields {
            id: next(),
            kind: next(),
            campaign: next(),
            recipient: next(),
            link: next(),
            at: next(),
            sent_at: next(),
            delivered_at: next(),
            ip: next(),
            user_agent: next(),
            method: next(),
            url: next(),
            reverse_dns: next(),
            honeypot: self.honeypot,
            headers,
        })
    }

    fn header_map(&self) -> std::result::Result<BTreeMap<String, String>, Vec<Status>> {
        if self.null_headers.is_some() {
            return Err(vec![Status::NullArgument]);
        }
        if self.headers.len() > MAX_HEADERS {
            return Err(vec![Status::InvalidInput]);
        }
        let mut map = BTreeMap::new();
        let mut refused = Vec::new();
        for (name, value) in &self.headers {
            match (name.read_required(), value.read_required()) {
                (Ok(n), Ok(v)) => {
                    map.insert(n, v);
                }
                (n, v) => refused.extend(n.err().into_iter().chain(v.err())),
            }
        }
        if refused.is_empty() {
            Ok(map)
        } else {
            Err(refused)
        }
    }
}

/// The JSON text of a record: its UTF-8 fields as an object, sometimes
/// with a few bytes overwritten or the tail cut.
fn json_text(record: &Record, u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut object = serde_json::Map::new();
    for (name, text) in FIELDS.iter().zip(&record.texts) {
        if let Text::Given(b) = text {
            let value = String::from_utf8_lossy(b).into_owned();
            object.insert((*name).to_string(), serde_json::Value::String(value));
        }
    }
    object.insert("honeypot".into(), record.honeypot.into());
    let headers: serde_json::Map<String, serde_json::Value> = record
        .headers
        .iter()
        .filter_map(|(n, v)| match (n, v) {
            (Text::Given(n), Text::Given(v)) => Some((
                String::from_utf8_lossy(n).into_owned(),
                String::from_utf8_lossy(v).into_owned().into(),
            )),
            _ => None,
        })
        .collect();
    object.insert("headers".into(), headers.into());
    let mut bytes = serde_json::Value::Object(object).to_string().into_bytes();
    if u.ratio(1, 4)? {
        for _ in 0..u.int_in_range(1..=4u8)? {
            let at = u.choose_index(bytes.len())?;
            bytes[at] = u8::arbitrary(u)?;
        }
        let keep = u.int_in_range(bytes.len() / 2..=bytes.len())?;
        bytes.truncate(keep);
    }
    Ok(bytes)
}

/// How the ABI must refuse a record.
#[derive(Debug)]
struct Refusal {
    /// The statuses it may return.
    statuses: Vec<Status>,
    /// For a record the library refused: the field it names.
    field: Option<Option<String>>,
}

impl Refusal {
    fn status(status: Status) -> Refusal {
        Refusal::any_of(vec![status])
    }

    fn any_of(statuses: Vec<Status>) -> Refusal {
        Refusal {
            statuses,
            field: None,
        }
    }

    fn record(field: Option<&str>) -> Refusal {
        Refusal {
            statuses: vec![Status::InvalidInput],
            field: Some(field.map(str::to_string)),
        }
    }
}

/// Which engine a session scores with.
#[derive(Clone, Debug)]
pub enum EngineSpec {
    /// `clicksift_engine_new_default`, built once per process.
    Default,
    /// `clicksift_engine_new` on this text.
    Rules {
        /// The rule text.
        text: Text,
        /// Whether the built-in rules come first.
        default_rules: bool,
    },
}

impl<'a> Arbitrary<'a> for EngineSpec {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // Most sessions use the shared engine: building one costs far
        // more than a session's calls, and the `rules` target covers rule
        // text in depth.
        if u.ratio(7, 8)? {
            return Ok(EngineSpec::Default);
        }
        let text = match u.int_in_range(0..=3u8)? {
            0 => Text::Null(u.int_in_range(1..=8)?),
            1 => {
                let b = <&[u8]>::arbitrary(u)?;
                Text::Given(b[..b.len().min(MAX_RULES)].to_vec())
            }
            _ => Text::of(u.choose(RULE_TEXTS)?),
        };
        Ok(EngineSpec::Rules {
            text,
            default_rules: bool::arbitrary(u)?,
        })
    }
}

/// One call a C caller makes.
#[derive(Clone, Debug, Arbitrary)]
pub enum Call {
    /// `clicksift_score_json` or `clicksift_score_fields`.
    Score(Record, Line, WantError),
    /// `clicksift_batch_add_json` or `clicksift_batch_add_fields`.
    BatchAdd(Record, Line, WantError),
    /// `clicksift_batch_assess`.
    BatchAssess,
    /// `clicksift_batch_count` and `clicksift_batch_result`.
    BatchRead(u8),
    /// `clicksift_stream_push_json` or `clicksift_stream_push_fields`.
    StreamPush(Record, Line, WantError),
    /// `clicksift_stream_ready`, with the session's engine or another.
    StreamReady(bool),
    /// `clicksift_stream_finish`.
    StreamFinish,
    /// The three name lookups on any number.
    Names(u32),
    /// A function given NULL where it needs a pointer.
    Null(u8),
}

/// A record's line number: small, or any.
#[derive(Clone, Copy, Debug)]
pub struct Line(pub u64);

impl<'a> Arbitrary<'a> for Line {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        match u.ratio(7, 8)? {
            true => Ok(Line(u.int_in_range(1..=1000)?)),
            false => Ok(Line(u64::arbitrary(u)?)),
        }
    }
}

/// Whether the call is given somewhere to store an error.
#[derive(Clone, Copy, Debug, Arbitrary)]
pub struct WantError(pub bool);

/// A session: an engine and the calls made with it.
#[derive(Clone, Debug)]
pub struct Session {
    /// The engine.
    pub engine: EngineSpec,
    /// The calls, in order.
    pub calls: Vec<Call>,
}

impl<'a> Arbitrary<'a> for Session {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let engine = EngineSpec::arbitrary(u)?;
        let mut calls = Vec::new();
        for _ in 0..u.int_in_range(0..=MAX_CALLS)? {
            calls.push(Call::arbitrary(u)?);
        }
        Ok(Session { engine, calls })
    }
}

// ---------------------------------------------------------------------
// The engines every session shares.

/// A handle made once and kept for the life of the process.
struct Shared(*mut c::clicksift_engine);

// SAFETY: the header allows an engine to be used from any thread, and the
// handle is never freed.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// The built-in engine through `clicksift_engine_new_default`, built once:
/// building per session would spend the time on the build, which the
/// `rules` target already covers.
fn default_engine() -> *const c::clicksift_engine {
    static ENGINE: OnceLock<Shared> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut engine = ptr::null_mut();
            // SAFETY: a writable output; no error wanted.
            let status = unsafe { c::clicksift_engine_new_default(&mut engine, ptr::null_mut()) };
            assert_eq!(status, Status::Ok, "the built-in engine builds");
            Shared(engine)
        })
        .0
}

/// A second engine, to hand a stream one it was not made with.
fn other_engine() -> *const c::clicksift_engine {
    static ENGINE: OnceLock<Shared> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut engine = ptr::null_mut();
            // SAFETY: a writable output; no rule text; no error wanted.
            let status = unsafe {
                c::clicksift_engine_new(ptr::null(), 0, false, &mut engine, ptr::null_mut())
            };
            assert_eq!(status, Status::Ok, "an engine without rules builds");
            Shared(engine)
        })
        .0
}

// ---------------------------------------------------------------------
// Running a session.

/// What the session holds: the handles, and the library's own view of the
/// same state to check them against.
struct Run<'e> {
    engine: *const c::clicksift_engine,
    library: &'e Engine,
    cache: *mut c::clicksift_cache,
    batch: *mut c::clicksift_batch,
    batch_clicks: Vec<Click>,
    batch_results: Option<Vec<Assessment>>,
    stream: *mut c::clicksift_stream,
    mirror: Stream,
    mirror_cache: Cache,
    judged: BTreeSet<u64>,
}

/// Runs one session and frees every handle it made.
pub fn session(session: &Session) {
    let built;
    let (engine, library) = match &session.engine {
        EngineSpec::Default => (default_engine(), crate::fuzz::engine()),
        EngineSpec::Rules {
            text,
            default_rules,
        } => match rules_engine(text, *default_rules) {
            Some(b) => {
                built = b;
                (built.handle.cast_const(), &built.library)
            }
            None => return,
        },
    };
    let mut run = Run::open(engine, library);
    for call in &session.calls {
        run.call(call);
    }
    run.close();
}

/// Most engines from rule text kept between sessions.
const MAX_KEPT_ENGINES: usize = 16;

/// An engine built from rule text, through the ABI and the library.
struct Built {
    handle: *mut c::clicksift_engine,
    library: Engine,
}

impl Drop for Built {
    fn drop(&mut self) {
        // SAFETY: the handle `clicksift_engine_new` made; freed only here.
        unsafe { c::clicksift_engine_free(self.handle) };
    }
}

/// Kept engines by rule text and `default_rules`; `None` where the text
/// was refused.
type Kept = BTreeMap<(Vec<u8>, bool), Option<Rc<Built>>>;

/// The engine for rule text, built and checked on its first use and kept
/// for later sessions. libFuzzer mutates most sessions in their calls and
/// leaves the rule text as it was; building the same text again (which
/// gives the same engine) cost most of the target's time. The kept
/// engines are freed when the store fills, and at the thread's end.
fn rules_engine(text: &Text, default_rules: bool) -> Option<Rc<Built>> {
    thread_local! {
        static KEPT: RefCell<Kept> = const { RefCell::new(BTreeMap::new()) };
    }
    let Text::Given(bytes) = text else {
        return new_engine(text, default_rules).map(Rc::new);
    };
    KEPT.with_borrow_mut(|kept| {
        let key = (bytes.clone(), default_rules);
        if let Some(found) = kept.get(&key) {
            return found.clone();
        }
        if kept.len() >= MAX_KEPT_ENGINES {
            kept.clear();
        }
        let built = new_engine(text, default_rules).map(Rc::new);
        kept.insert(key, built.clone());
        built
    })
}

/// Builds an engine from rule text through the ABI and the library; both
/// must agree. Returns the handle and the library's engine when it built.
fn new_engine(text: &Text, default_rules: bool) -> Option<Built> {
    let view = text.view();
    let sentinel = NonNull::dangling().as_ptr();
    let (mut engine, mut error) = (sentinel, ptr::null_mut());
    // SAFETY: the view's bytes live in `text`; the outputs are writable.
    let status = unsafe {
        c::clicksift_engine_new(view.ptr, view.len, default_rules, &mut engine, &mut error)
    };
    assert_ne!(status, Status::Panic);

    let expected = match text.read() {
        Err(refused) => Err((refused, None)),
        Ok(rules) => {
            let mut builder = Engine::builder().default_rules(default_rules);
            if let Some(rules) = rules {
                builder = builder.rules(RULES_NAME, rules);
            }
            builder.build().map_err(|e| (Status::BuildFailed, Some(e)))
        }
    };
    match expected {
        Ok(library) => {
            assert_eq!(status, Status::Ok, "the library built the rules");
            assert!(error.is_null(), "an error with success");
            assert!(engine != sentinel && !engine.is_null());
            Some(Built {
                handle: engine,
                library,
            })
        }
        Err((refused, build)) => {
            assert_eq!(status, refused, "the status of a refused engine");
            assert_eq!(engine, sentinel, "an engine written on failure");
            let seen = take_error(error, status, 0);
            if let (Some(build), Some(seen)) = (build, seen) {
                assert_eq!(seen.diagnostics, diagnostics(&build));
            }
            None
        }
    }
}

fn diagnostics(e: &BuildError) -> Vec<(String, usize, usize, String)> {
    e.diagnostics()
        .iter()
        .map(|d| {
            let file = d.file().to_string();
            (file, d.line(), d.column(), d.message().to_string())
        })
        .collect()
}

impl<'e> Run<'e> {
    fn open(engine: *const c::clicksift_engine, library: &'e Engine) -> Run<'e> {
        let (mut cache, mut batch, mut stream) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        // SAFETY: writable outputs and a live engine.
        unsafe {
            assert_eq!(c::clicksift_cache_new(&mut cache), Status::Ok);
            assert_eq!(c::clicksift_batch_new(&mut batch), Status::Ok);
            assert_eq!(c::clicksift_stream_new(engine, &mut stream), Status::Ok);
        }
        assert!(!cache.is_null() && !batch.is_null() && !stream.is_null());
        Run {
            engine,
            library,
            cache,
            batch,
            batch_clicks: Vec::new(),
            batch_results: None,
            stream,
            mirror: Stream::new(library),
            mirror_cache: Cache::new(),
            judged: BTreeSet::new(),
        }
    }

    fn call(&mut self, call: &Call) {
        match call {
            Call::Score(record, line, want) => self.score(record, line.0, want.0),
            Call::BatchAdd(record, line, want) => self.batch_add(record, line.0, want.0),
            Call::BatchAssess => self.batch_assess(),
            Call::BatchRead(index) => self.batch_read(usize::from(*index)),
            Call::StreamPush(record, line, want) => self.stream_push(record, line.0, want.0),
            Call::StreamReady(other) => self.stream_drain(*other, false),
            Call::StreamFinish => self.stream_drain(false, true),
            Call::Names(n) => names(*n),
            Call::Null(which) => self.null_argument(*which),
        }
    }

    /// Finishes the stream, so every event taken is judged once, then
    /// frees every handle.
    fn close(mut self) {
        self.stream_drain(false, true);
        assert_eq!(self.mirror.held_events(), 0);
        // SAFETY: handles made by this session, each freed once.
        unsafe {
            c::clicksift_stream_free(self.stream);
            c::clicksift_batch_free(self.batch);
            c::clicksift_cache_free(self.cache);
        }
    }

    fn score(&mut self, record: &Record, line: u64, want: bool) {
        let sentinel = NonNull::dangling().as_ptr();
        let mut result = sentinel;
        let (status, error) = with_error(want, |error| {
            with_record(record, |json, fields| {
                // SAFETY: live handles, the record's views, writable outputs.
                unsafe {
                    match json {
                        Some((p, n)) => c::clicksift_score_json(
                            self.engine,
                            self.cache,
                            p,
                            n,
                            line,
                            &mut result,
                            error,
                        ),
                        None => c::clicksift_score_fields(
                            self.engine,
                            self.cache,
                            fields,
                            line,
                            &mut result,
                            error,
                        ),
                    }
                }
            })
        });
        match check_outcome(record, line, status, error) {
            Some(click) => {
                assert!(result != sentinel && !result.is_null());
                let expected = self.library.assess(&click, &mut Cache::new());
                // SAFETY: a result just made, read then freed once.
                unsafe {
                    check_result(result, &expected);
                    c::clicksift_result_free(result);
                }
            }
            None => assert_eq!(result, sentinel, "a result written on failure"),
        }
    }

    fn batch_add(&mut self, record: &Record, line: u64, want: bool) {
        let (status, error) = with_error(want, |error| {
            with_record(record, |json, fields| {
                // SAFETY: a live batch, the record's views, writable outputs.
                unsafe {
                    match json {
                        Some((p, n)) => c::clicksift_batch_add_json(self.batch, p, n, line, error),
                        None => c::clicksift_batch_add_fields(self.batch, fields, line, error),
                    }
                }
            })
        });
        if let Some(click) = check_outcome(record, line, status, error) {
            self.batch_clicks.push(click);
            self.batch_results = None;
        }
    }

    fn batch_assess(&mut self) {
        // SAFETY: live handles.
        let status = unsafe { c::clicksift_batch_assess(self.engine, self.cache, self.batch) };
        assert_eq!(status, Status::Ok);
        let results = assess_log(self.library, &self.batch_clicks, &mut Cache::new());
        self.batch_results = Some(results);
    }

    fn batch_read(&self, index: usize) {
        let mut count = usize::MAX;
        // SAFETY: a live batch and a writable output.
        let status = unsafe { c::clicksift_batch_count(self.batch, &mut count) };
        assert_eq!((status, count), (Status::Ok, self.batch_clicks.len()));

        let sentinel: *const c::clicksift_result = NonNull::dangling().as_ptr();
        let mut result = sentinel;
        // SAFETY: as above.
        let status = unsafe { c::clicksift_batch_result(self.batch, index, &mut result) };
        let fresh = self.batch_results.as_ref();
        match fresh.map(|r| r.get(index)) {
            // Never assessed, or assessed before the last click was added;
            // an empty batch has nothing to be stale about.
            None if !self.batch_clicks.is_empty() => assert_eq!(status, Status::InvalidState),
            None | Some(None) => assert_eq!(status, Status::OutOfRange),
            Some(Some(expected)) => {
                assert_eq!(status, Status::Ok);
                // SAFETY: a view owned by the batch, not freed here.
                unsafe { check_result(result, expected) };
                return;
            }
        }
        assert_eq!(result, sentinel, "a result written on failure");
    }

    fn stream_push(&mut self, record: &Record, line: u64, want: bool) {
        let mut seq = u64::MAX;
        let (status, error) = with_error(want, |error| {
            with_record(record, |json, fields| {
                // SAFETY: a live stream, the record's views, writable outputs.
                unsafe {
                    match json {
                        Some((p, n)) => {
                            c::clicksift_stream_push_json(self.stream, p, n, line, &mut seq, error)
                        }
                        None => c::clicksift_stream_push_fields(
                            self.stream,
                            fields,
                            line,
                            &mut seq,
                            error,
                        ),
                    }
                }
            })
        });
        let Ok(click) = record.expected(line) else {
            check_outcome(record, line, status, error);
            assert_eq!(seq, u64::MAX, "a sequence number written on failure");
            return;
        };
        match self.mirror.push(click) {
            Ok(expected) => {
                assert_eq!((status, seq), (Status::Ok, expected));
                assert!(error.is_null());
            }
            Err(_) => {
                assert_eq!(status, Status::InvalidInput, "an event out of order");
                assert_eq!(seq, u64::MAX, "a sequence number written on failure");
                if let Some(seen) = take_error(error, status, line) {
                    assert_eq!(seen.field.as_deref(), Some("at"), "an event out of order");
                }
            }
        }
    }

    /// `clicksift_stream_ready` or `_finish`, against the library's stream
    /// fed the same events.
    fn stream_drain(&mut self, other_engine_given: bool, finish: bool) {
        let engine = if other_engine_given {
            other_engine()
        } else {
            self.engine
        };
        let sentinel = NonNull::dangling().as_ptr();
        let mut judged = sentinel;
        // SAFETY: live handles and a writable output.
        let status = unsafe {
            match finish {
                true => c::clicksift_stream_finish(self.stream, engine, self.cache, &mut judged),
                false => c::clicksift_stream_ready(self.stream, engine, self.cache, &mut judged),
            }
        };
        if engine != self.engine {
            assert_eq!(
                status,
                Status::InvalidState,
                "a stream drained with another engine"
            );
            assert_eq!(judged, sentinel, "judgements written on failure");
            return;
        }
        assert_eq!(status, Status::Ok);
        let expected = match finish {
            true => self.mirror.finish(self.library, &mut self.mirror_cache),
            false => self.mirror.ready(self.library, &mut self.mirror_cache),
        };
        for j in &expected {
            assert!(self.judged.insert(j.seq), "event {} judged twice", j.seq);
        }
        // SAFETY: judgements just made, read then freed once.
        unsafe {
            check_judged(judged, &expected);
            c::clicksift_judged_free(judged);
        }
    }

    fn null_argument(&mut self, which: u8) {
        let json = br#"{"campaign":"c","recipient":"r","at":"2026-03-02T09:00:00Z","ip":"::1"}"#;
        let (p, n) = (json.as_ptr().cast(), json.len());
        let mut out = NonNull::dangling().as_ptr();
        let mut count = usize::MAX;
        let mut error = ptr::null_mut();
        // SAFETY: every pointer is NULL, live, or writable; the one NULL
        // is where the function needs a pointer.
        let status = unsafe {
            match which % 12 {
                0 => c::clicksift_score_json(
                    ptr::null_mut(),
                    self.cache,
                    p,
                    n,
                    1,
                    &mut out,
                    &mut error,
                ),
                1 => c::clicksift_score_json(
                    self.engine,
                    ptr::null_mut(),
                    p,
                    n,
                    1,
                    &mut out,
                    &mut error,
                ),
                2 => c::clicksift_score_json(
                    self.engine,
                    self.cache,
                    ptr::null(),
                    3,
                    1,
                    &mut out,
                    &mut error,
                ),
                3 => c::clicksift_score_json(
                    self.engine,
                    self.cache,
                    p,
                    n,
                    1,
                    ptr::null_mut(),
                    &mut error,
                ),
                4 => c::clicksift_score_fields(
                    self.engine,
                    self.cache,
                    ptr::null(),
                    1,
                    &mut out,
                    &mut error,
                ),
                5 => c::clicksift_batch_add_json(ptr::null_mut(), p, n, 1, &mut error),
                6 => c::clicksift_batch_count(self.batch, ptr::null_mut()),
                7 => {
                    c::clicksift_stream_ready(self.stream, self.engine, self.cache, ptr::null_mut())
                }
                8 => c::clicksift_engine_new(p, 0, false, ptr::null_mut(), &mut error),
                9 => c::clicksift_cache_new(ptr::null_mut()),
                10 => c::clicksift_result_score(ptr::null(), ptr::null_mut()),
                _ => c::clicksift_judged_count(ptr::null(), &mut count),
            }
        };
        assert_eq!(status, Status::NullArgument, "call {}", which % 12);
        assert_eq!(
            out,
            NonNull::dangling().as_ptr(),
            "an output written on failure"
        );
        assert_eq!(count, usize::MAX, "an output written on failure");
        if !error.is_null() {
            take_error(error, status, 0);
        }
    }
}

/// Runs `f` with somewhere to store an error, or with NULL.
fn with_error(
    want: bool,
    f: impl FnOnce(*mut *mut c::clicksift_error) -> Status,
) -> (Status, *mut c::clicksift_error) {
    let mut error = NonNull::dangling().as_ptr();
    let status = f(if want { &mut error } else { ptr::null_mut() });
    assert_ne!(status, Status::Panic, "a panic reached the boundary");
    match want {
        true => (status, error),
        false => (status, ptr::null_mut()),
    }
}

/// Hands `f` the record as the ABI takes it: JSON bytes, or the fields
/// struct with views into the record.
fn with_record(
    record: &Record,
    f: impl FnOnce(Option<(*const std::ffi::c_char, usize)>, *const c::clicksift_click_fields) -> Status,
) -> Status {
    if let Some(json) = &record.json {
        return f(Some((json.as_ptr().cast(), json.len())), ptr::null());
    }
    let headers: Vec<c::clicksift_header> = record
        .headers
        .iter()
        .map(|(n, v)| c::clicksift_header {
            name: n.view(),
            value: v.view(),
        })
        .collect();
    let t: Vec<c::clicksift_text> = record.texts.iter().map(Text::view).collect();
    let (headers_ptr, header_count) = match record.null_headers {
        Some(count) => (ptr::null(), count),
        None => (headers.as_ptr(), headers.len()),
    };
    let fields = c::clicksift_click_fields {
        id: t[0],
        kind: t[1],
        campaign: t[2],
        recipient: t[3],
        link: t[4],
        honeypot: record.honeypot,
        at: t[5],
        sent_at: t[6],
        delivered_at: t[7],
        ip: t[8],
        user_agent: t[9],
        method: t[10],
        url: t[11],
        reverse_dns: t[12],
        headers: headers_ptr,
        header_count,
    };
    f(None, &fields)
}

/// Checks a call that took a record against the library's reading of it;
/// returns the click when both accepted it.
fn check_outcome(
    record: &Record,
    line: u64,
    status: Status,
    error: *mut c::clicksift_error,
) -> Option<Click> {
    match record.expected(line) {
        Ok(click) => {
            assert_eq!(status, Status::Ok, "the library accepts the record");
            assert!(error.is_null(), "an error with success");
            Some(click)
        }
        Err(refusal) => {
            assert!(
                refusal.statuses.contains(&status),
                "{status:?}, expected one of {:?}",
                refusal.statuses
            );
            let expected_line = if status == Status::InvalidInput {
                line
            } else {
                0
            };
            let seen = take_error(error, status, expected_line);
            if let (Some(field), Some(seen)) = (refusal.field, seen) {
                assert_eq!(seen.field, field, "the field at fault");
            }
            None
        }
    }
}

/// What an error object said.
#[derive(Debug, Default)]
struct SeenError {
    field: Option<String>,
    diagnostics: Vec<(String, usize, usize, String)>,
}

/// Reads an error (NULL when none was asked for), checks it carries the
/// call's status, a message and `line`, and frees it.
fn take_error(error: *mut c::clicksift_error, status: Status, line: u64) -> Option<SeenError> {
    if error.is_null() {
        return None;
    }
    assert!(
        error != NonNull::dangling().as_ptr(),
        "no error stored on failure"
    );
    let mut seen = SeenError::default();
    // SAFETY: a live error, read then freed once; views read while it lives.
    unsafe {
        let mut stored = Status::Ok;
        assert_eq!(c::clicksift_error_status(error, &mut stored), Status::Ok);
        assert_eq!(stored, status);
        let mut message = c::clicksift_str {
            ptr: ptr::null(),
            len: 0,
        };
        assert_eq!(c::clicksift_error_message(error, &mut message), Status::Ok);
        assert!(
            view(message).is_some_and(|m| !m.is_empty()),
            "an empty message"
        );

        let (mut at, mut field) = (u64::MAX, message);
        assert_eq!(
            c::clicksift_error_record(error, &mut at, &mut field),
            Status::Ok
        );
        assert_eq!(at, line, "the line of a {status:?} error");
        seen.field = view(field);
        seen.diagnostics = read_diagnostics(error);
        c::clicksift_error_free(error);
    }
    Some(seen)
}

/// # Safety
///
/// `error` must be live.
unsafe fn read_diagnostics(
    error: *const c::clicksift_error,
) -> Vec<(String, usize, usize, String)> {
    let mut count = usize::MAX;
    // SAFETY: the caller's promise; writable outputs.
    unsafe {
        assert_eq!(
            c::clicksift_error_diagnostic_count(error, &mut count),
            Status::Ok
        );
        let mut all = Vec::new();
        let mut d = std::mem::zeroed::<c::clicksift_diagnostic>();
        for i in 0..count {
            assert_eq!(c::clicksift_error_diagnostic(error, i, &mut d), Status::Ok);
            let file = view(d.file).unwrap_or_default();
            assert_eq!(
                d.line == 0,
                d.column == 0,
                "line {} column {}",
                d.line,
                d.column
            );
            all.push((file, d.line, d.column, view(d.message).unwrap_or_default()));
        }
        let status = c::clicksift_error_diagnostic(error, count, &mut d);
        assert_eq!(status, Status::OutOfRange);
        all
    }
}

/// Reads a result through every accessor and checks it equals the
/// library's assessment.
///
/// # Safety
///
/// `result` must be live.
unsafe fn check_result(result: *const c::clicksift_result, expected: &Assessment) {
    let (mut score, mut verdict, mut source, mut count) = (
        u8::MAX,
        c::clicksift_verdict::Uncertain,
        c::clicksift_source::Unknown,
        usize::MAX,
    );
    // SAFETY: the caller's promise; writable outputs.
    unsafe {
        assert_eq!(c::clicksift_result_score(result, &mut score), Status::Ok);
        assert_eq!(
            c::clicksift_result_verdict(result, &mut verdict),
            Status::Ok
        );
        assert_eq!(c::clicksift_result_source(result, &mut source), Status::Ok);
        assert_eq!(
            c::clicksift_result_reason_count(result, &mut count),
            Status::Ok
        );
        assert!(score <= 100, "score {score}");
        assert_eq!(score, expected.score);
        assert_eq!(verdict, c::clicksift_verdict::from(expected.verdict));
        assert_eq!(source, c::clicksift_source::from(expected.source));
        assert_eq!(count, expected.reasons.len());
        let mut r = std::mem::zeroed::<c::clicksift_reason>();
        for (i, want) in expected.reasons.iter().enumerate() {
            assert_eq!(c::clicksift_result_reason(result, i, &mut r), Status::Ok);
            assert_eq!(view(r.rule).as_deref(), Some(&*want.rule));
            assert_eq!(r.weight, want.weight);
            assert_eq!(view(r.detail).as_deref(), Some(want.detail.as_str()));
        }
        let status = c::clicksift_result_reason(result, count, &mut r);
        assert_eq!(status, Status::OutOfRange);
    }
}

/// Reads judgements and checks they equal the library stream's.
///
/// # Safety
///
/// `judged` must be live.
unsafe fn check_judged(judged: *const c::clicksift_judged, expected: &[Judged]) {
    let mut count = usize::MAX;
    // SAFETY: the caller's promise; writable outputs; the result views are
    // owned by `judged`.
    unsafe {
        assert_eq!(c::clicksift_judged_count(judged, &mut count), Status::Ok);
        assert_eq!(count, expected.len());
        let mut seq = u64::MAX;
        let mut id = std::mem::zeroed::<c::clicksift_str>();
        let mut result = ptr::null();
        for (i, want) in expected.iter().enumerate() {
            let status = c::clicksift_judged_at(judged, i, &mut seq, &mut id, &mut result);
            assert_eq!(status, Status::Ok);
            assert_eq!(seq, want.seq);
            assert_eq!(view(id), want.click.id);
            check_result(result, &want.assessment);
        }
        let status = c::clicksift_judged_at(judged, count, &mut seq, &mut id, &mut result);
        assert_eq!(status, Status::OutOfRange);
    }
}

/// The name lookups: a NUL-terminated lower-case name for every number
/// the enums use, NULL past them.
fn names(n: u32) {
    let lookups: [(extern "C" fn(u32) -> *const std::ffi::c_char, u32); 3] = [
        (c::clicksift_verdict_name, 3),
        (c::clicksift_source_name, 9),
        (c::clicksift_status_name, 8),
    ];
    for (lookup, count) in lookups {
        let name = lookup(n);
        assert_eq!(name.is_null(), n >= count, "name of {n}");
        if !name.is_null() {
            // SAFETY: a static NUL-terminated name.
            let text = unsafe { CStr::from_ptr(name) }.to_str();
            assert!(text.is_ok_and(|t| !t.is_empty() && t == t.to_ascii_lowercase()));
        }
    }
    // SAFETY: a static NUL-terminated version.
    let version = unsafe { CStr::from_ptr(c::clicksift_version()) };
    assert!(!version.to_bytes().is_empty());
}

/// The text of a view, `None` for `{NULL, 0}`; it must be UTF-8.
///
/// # Safety
///
/// A non-NULL view must point to `len` live bytes.
unsafe fn view(s: c::clicksift_str) -> Option<String> {
    if s.ptr.is_null() {
        assert_eq!(s.len, 0, "NULL with a length");
        return None;
    }
    // SAFETY: the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
    Some(
        std::str::from_utf8(bytes)
            .expect("views are UTF-8")
            .to_string(),
    )
}
