//! `clicksift.Engine`: built once, shared freely, scoring dicts or JSON.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use clicksift::mmdb::Databases;
use clicksift::{BuildError, Cache, Click, Engine};
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
        let keep = match on_error {
            "raise" => false,
            "keep" => true,
            other => {
                let message = format!("on_error must be \"raise\" or \"keep\", not {other:?}");
                return Err(PyValueError::new_err(message));
            }
        };
        let records = read_all(py, clicks, keep)?;
        let valid: Vec<&Click> = records.iter().filter_map(|r| r.as_ref().ok()).collect();
        let mut assessments = py
            .detach(|| {
                let mut cache = self.cache();
                let out: Vec<_> = valid
                    .iter()
                    .map(|c| self.engine.assess(c, &mut cache))
                    .collect();
                self.give_back(cache);
                out
            })
            .into_iter();
        let list = PyList::empty(py);
        for record in records {
            // Assessments follow the valid records in order.
            let item = match (record, &mut assessments) {
                (Err(e), _) => record_error(py, &e).into_value(py).into_any(),
                (Ok(_), a) => {
                    let a = a
                        .next()
                        .ok_or_else(|| Error::new_err("fewer results than clicks"))?;
                    Py::new(py, PyResult_::new(a))?.into_any()
                }
            };
            list.append(item)?;
        }
        Ok(list)
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

/// Reads every record of `clicks`; with `keep` false the first malformed
/// one raises.
fn read_all(
    py: Python<'_>,
    clicks: &Bound<'_, PyAny>,
    keep: bool,
) -> PyResult<Vec<Result<Click, clicksift::RecordError>>> {
    let mut records = Vec::new();
    for (i, item) in clicks.try_iter()?.enumerate() {
        let record = click_from_dict(&item?, i as u64 + 1);
        if let (Err(e), false) = (&record, keep) {
            return Err(record_error(py, e));
        }
        records.push(record);
    }
    Ok(records)
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
