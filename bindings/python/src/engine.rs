//! `clicksift.Engine`: built once, shared freely, scoring dicts or JSON.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use clicksift::campaign::{Judged, Stream, assess_log};
use clicksift::mmdb::Databases;
use clicksift::{Assessment, BuildError, Cache, Click, Engine};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::record::{click_from_dict, record_error};
use crate::result::{PyDiagnostic, PyResult_};
use crate::{Error, RuleError};

/// Most idle caches an engine keeps for reuse: one per thread that scores
/// at the same time is enough, and each holds up to a few megabytes.
const MAX_IDLE_CACHES: usize = 16;

/// The scoring engine: rules, thresholds and catalogues, built once.
/// Safe to share between threads; each call borrows a cache of lookups
/// from a small pool, so repeated user agents and addresses stay cheap.
#[pyclass(frozen, name = "Engine", module = "clicksift")]
pub struct PyEngine {
    engine: Engine,
    caches: Mutex<Vec<Cache>>,
}

#[pymethods]
impl PyEngine {
    /// Builds an engine from the built-in rules (unless `default_rules` is
    /// false), then the rule files at `rules`, then the rule texts in
    /// `rule_texts`, with the MaxMind databases at `mmdb`.
    #[new]
    #[pyo3(signature = (rules=None, rule_texts=None, default_rules=true, mmdb=None))]
    fn new(
        py: Python<'_>,
        rules: Option<Vec<PathBuf>>,
        rule_texts: Option<Vec<String>>,
        default_rules: bool,
        mmdb: Option<Vec<PathBuf>>,
    ) -> PyResult<PyEngine> {
        let mut databases = Databases::new();
        for path in mmdb.unwrap_or_default() {
            databases
                .open(&path)
                .map_err(|e| Error::new_err(e.to_string()))?;
        }
        let built = py.detach(|| {
            let mut builder = Engine::builder()
                .default_rules(default_rules)
                .databases(databases);
            for path in rules.unwrap_or_default() {
                builder = builder.rules_file(path)?;
            }
            for (i, text) in rule_texts.unwrap_or_default().into_iter().enumerate() {
                builder = builder.rules(format!("rule_texts[{i}]"), text);
            }
            builder.build()
        });
        let engine = built.map_err(|e| rule_error(py, e))?;
        Ok(PyEngine {
            engine,
            caches: Mutex::new(Vec::new()),
        })
    }

    /// Scores one click given as a dict with the keys of the JSON Lines
    /// schema. Raises `RecordError` when it is malformed.
    #[pyo3(signature = (click, line=1))]
    fn score(&self, py: Python<'_>, click: &Bound<'_, PyAny>, line: u64) -> PyResult<PyResult_> {
        let click = click_from_dict(click, line).map_err(|e| record_error(py, &e))?;
        let mut cache = self.cache();
        let assessment = self.engine.assess(&click, &mut cache);
        self.give_back(cache);
        Ok(PyResult_::new(assessment))
    }

    /// Scores one click given as a JSON object. Raises `RecordError` when
    /// it is malformed.
    #[pyo3(signature = (text, line=1))]
    fn score_json(&self, py: Python<'_>, text: &str, line: u64) -> PyResult<PyResult_> {
        let click = Click::from_json(text, line).map_err(|e| record_error(py, &e))?;
        let mut cache = self.cache();
        let assessment = self.engine.assess(&click, &mut cache);
        self.give_back(cache);
        Ok(PyResult_::new(assessment))
    }

    /// Scores many clicks given as dicts, in order, with the GIL released
    /// while scoring. A malformed record raises `RecordError` naming its
    /// 1-based position as the line, unless `on_error="keep"`, which puts
    /// the `RecordError` in that record's place and scores the rest.
    #[pyo3(signature = (clicks, on_error="raise"))]
    fn score_many<'py>(
        &self,
        py: Python<'py>,
        clicks: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let (clicks, errors) = read_all(py, clicks, on_error_keeps(on_error)?)?;
        let assessments = py.detach(|| {
            let mut cache = self.cache();
            let out: Vec<_> = clicks
                .iter()
                .map(|c| self.engine.assess(c, &mut cache))
                .collect();
            self.give_back(cache);
            out
        });
        in_place(py, errors, assessments)
    }

    /// Scores a whole click log with the campaign heuristics, which see
    /// what one click cannot (a honeypot hit nearby, one address fanning
    /// out to many recipients, ...). Results come back in input order and
    /// do not depend on it; the GIL is released while scoring. `on_error`
    /// works as for `score_many`.
    #[pyo3(signature = (clicks, on_error="raise"))]
    fn score_log<'py>(
        &self,
        py: Python<'py>,
        clicks: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let (clicks, errors) = read_all(py, clicks, on_error_keeps(on_error)?)?;
        let assessments = py.detach(|| {
            let mut cache = self.cache();
            let out = assess_log(&self.engine, &clicks, &mut cache);
            self.give_back(cache);
            out
        });
        in_place(py, errors, assessments)
    }

    /// A stream that judges events arriving in time order with the
    /// campaign heuristics.
    fn stream(slf: Py<PyEngine>) -> PyStream {
        let stream = Stream::new(&slf.get().engine);
        PyStream {
            engine: slf,
            stream,
        }
    }

    fn __repr__(&self) -> String {
        let t = self.engine.thresholds();
        format!(
            "Engine(rules={}, machine>={}, human<={})",
            self.engine.rules().count(),
            t.machine,
            t.human
        )
    }
}

/// The valid clicks of a batch, and per record its error or `None` for
/// the next valid click.
type Read = (Vec<Click>, Vec<Option<clicksift::RecordError>>);

/// Reads every record of `clicks`; with `keep` false the first malformed
/// one raises.
fn read_all(py: Python<'_>, clicks: &Bound<'_, PyAny>, keep: bool) -> PyResult<Read> {
    let (mut valid, mut slots) = (Vec::new(), Vec::new());
    for (i, item) in clicks.try_iter()?.enumerate() {
        match click_from_dict(&item?, i as u64 + 1) {
            Ok(click) => {
                valid.push(click);
                slots.push(None);
            }
            Err(e) if keep => slots.push(Some(e)),
            Err(e) => return Err(record_error(py, &e)),
        }
    }
    Ok((valid, slots))
}

/// Whether `on_error` asks to keep record errors in place.
fn on_error_keeps(on_error: &str) -> PyResult<bool> {
    match on_error {
        "raise" => Ok(false),
        "keep" => Ok(true),
        other => Err(PyValueError::new_err(format!(
            "on_error must be \"raise\" or \"keep\", not {other:?}"
        ))),
    }
}

/// One item per record: its result, or its error. The assessments follow
/// the valid records in order.
fn in_place<'py>(
    py: Python<'py>,
    slots: Vec<Option<clicksift::RecordError>>,
    assessments: Vec<Assessment>,
) -> PyResult<Bound<'py, PyList>> {
    let mut assessments = assessments.into_iter();
    let list = PyList::empty(py);
    for slot in slots {
        let item = match slot {
            Some(e) => record_error(py, &e).into_value(py).into_any(),
            None => {
                let a = assessments
                    .next()
                    .ok_or_else(|| Error::new_err("fewer results than clicks"))?;
                Py::new(py, PyResult_::new(a))?.into_any()
            }
        };
        list.append(item)?;
    }
    Ok(list)
}

/// Judges events that arrive in time order with the campaign heuristics.
/// Push events, then collect the judgements no later event can change
/// with `ready()`, and the rest with `finish()` at the end.
#[pyclass(name = "Stream", module = "clicksift")]
pub struct PyStream {
    engine: Py<PyEngine>,
    stream: Stream,
}

#[pymethods]
impl PyStream {
    /// Takes the next event, a dict, and returns its sequence number.
    /// Raises `RecordError` for a malformed event or one older than the
    /// last (naming the `at` field); neither is taken.
    #[pyo3(signature = (click, line=1))]
    fn push(&mut self, py: Python<'_>, click: &Bound<'_, PyAny>, line: u64) -> PyResult<u64> {
        let click = click_from_dict(click, line).map_err(|e| record_error(py, &e))?;
        self.take(py, click, line)
    }

    /// Takes the next event given as JSON, as `push` does.
    #[pyo3(signature = (text, line=1))]
    fn push_json(&mut self, py: Python<'_>, text: &str, line: u64) -> PyResult<u64> {
        let click = Click::from_json(text, line).map_err(|e| record_error(py, &e))?;
        self.take(py, click, line)
    }

    /// The judgements no later event can change, in time order, as
    /// `(sequence number, Result)` pairs. Reports are not judged.
    fn ready(&mut self, py: Python<'_>) -> PyResult<Vec<(u64, PyResult_)>> {
        self.drain(py, Stream::ready)
    }

    /// Every remaining judgement: call at the end of the stream.
    fn finish(&mut self, py: Python<'_>) -> PyResult<Vec<(u64, PyResult_)>> {
        self.drain(py, Stream::finish)
    }

    /// Events held, waiting or kept for the windows of later ones.
    #[getter]
    fn held_events(&self) -> usize {
        self.stream.held_events()
    }
}

type Step = fn(&mut Stream, &Engine, &mut Cache) -> Vec<Judged>;

impl PyStream {
    fn take(&mut self, py: Python<'_>, click: Click, line: u64) -> PyResult<u64> {
        self.stream.push(click).map_err(|e| {
            record_error(
                py,
                &clicksift::RecordError::new(line, Some("at"), e.to_string()),
            )
        })
    }

    fn drain(&mut self, py: Python<'_>, step: Step) -> PyResult<Vec<(u64, PyResult_)>> {
        let owner = self.engine.get();
        let stream = &mut self.stream;
        let judged = py.detach(|| {
            let mut cache = owner.cache();
            let out = step(stream, &owner.engine, &mut cache);
            owner.give_back(cache);
            out
        });
        Ok(judged
            .into_iter()
            .map(|j| (j.seq, PyResult_::new(j.assessment)))
            .collect())
    }
}

impl PyEngine {
    /// Takes an idle cache, or makes one when every cache is in use.
    fn cache(&self) -> Cache {
        self.idle().pop().unwrap_or_default()
    }

    /// Returns a cache for reuse.
    fn give_back(&self, cache: Cache) {
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE_CACHES {
            idle.push(cache);
        }
    }

    /// The pool of idle caches. A panic while it was held leaves nothing
    /// half-done (pushes and pops are whole), so poisoning is ignored.
    fn idle(&self) -> MutexGuard<'_, Vec<Cache>> {
        self.caches.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A build error as `clicksift.RuleError` with its `diagnostics`.
fn rule_error(py: Python<'_>, e: BuildError) -> PyErr {
    let err = RuleError::new_err(e.to_string());
    let diagnostics: Vec<PyDiagnostic> = e
        .diagnostics()
        .iter()
        .cloned()
        .map(PyDiagnostic::from)
        .collect();
    match err.value(py).setattr("diagnostics", diagnostics) {
        Ok(()) => err,
        Err(failed) => failed,
    }
}
