//! What Python sees of an assessment: `Result`, `Reason` and, for rules
//! that do not build, `Diagnostic`.

use clicksift::{Assessment, Diagnostic, Reason};
use pyo3::prelude::*;

/// The engine's judgement of one click.
#[pyclass(frozen, name = "Result", module = "clicksift")]
pub struct PyResult_ {
    assessment: Assessment,
}

impl PyResult_ {
    pub fn new(assessment: Assessment) -> PyResult_ {
        PyResult_ { assessment }
    }
}

#[pymethods]
impl PyResult_ {
    /// 0 to 100: how likely the request is not the recipient's own.
    #[getter]
    fn score(&self) -> u8 {
        self.assessment.score
    }

    /// `"human"`, `"machine"` or `"uncertain"`.
    #[getter]
    fn verdict(&self) -> &'static str {
        self.assessment.verdict.as_str()
    }

    /// Who made the request: `"recipient"`, `"mail_gateway"`, ...
    #[getter]
    fn source(&self) -> &'static str {
        self.assessment.source.as_str()
    }

    /// Every rule that fired, strongest first.
    #[getter]
    fn reasons(&self) -> Vec<PyReason> {
        self.assessment
            .reasons
            .iter()
            .cloned()
            .map(PyReason::from)
            .collect()
    }

    fn __repr__(&self) -> String {
        let rules: Vec<String> = self
            .assessment
            .reasons
            .iter()
            .map(|r| format!("{:?}", r.rule))
            .collect();
        format!(
            "Result(score={}, verdict={:?}, source={:?}, reasons=[{}])",
            self.assessment.score,
            self.verdict(),
            self.source(),
            rules.join(", ")
        )
    }
}

/// One rule that fired, with the evidence it saw.
#[pyclass(frozen, name = "Reason", module = "clicksift")]
#[derive(Clone)]
pub struct PyReason {
    reason: Reason,
}

impl From<Reason> for PyReason {
    fn from(reason: Reason) -> PyReason {
        PyReason { reason }
    }
}

#[pymethods]
impl PyReason {
    /// The rule's id, such as `"agent.headless"`.
    #[getter]
    fn rule(&self) -> &str {
        &self.reason.rule
    }

    /// Positive for machine evidence, negative for evidence of the
    /// recipient.
    #[getter]
    fn weight(&self) -> i32 {
        self.reason.weight
    }

    /// The evidence, as `field=value` pairs and catalogue entries.
    #[getter]
    fn detail(&self) -> &str {
        &self.reason.detail
    }

    fn __repr__(&self) -> String {
        format!(
            "Reason(rule={:?}, weight={}, detail={:?})",
            self.reason.rule, self.reason.weight, self.reason.detail
        )
    }
}

/// One problem in rules or catalogues.
#[pyclass(frozen, name = "Diagnostic", module = "clicksift")]
#[derive(Clone)]
pub struct PyDiagnostic {
    diagnostic: Diagnostic,
}

impl From<Diagnostic> for PyDiagnostic {
    fn from(diagnostic: Diagnostic) -> PyDiagnostic {
        PyDiagnostic { diagnostic }
    }
}

#[pymethods]
impl PyDiagnostic {
    /// The file, or the name given to rule text.
    #[getter]
    fn file(&self) -> &str {
        self.diagnostic.file()
    }

    /// 1-based line, or 0 for the file as a whole.
    #[getter]
    fn line(&self) -> usize {
        self.diagnostic.line()
    }

    /// 1-based column in characters, or 0 with line 0.
    #[getter]
    fn column(&self) -> usize {
        self.diagnostic.column()
    }

    /// What is wrong.
    #[getter]
    fn message(&self) -> &str {
        self.diagnostic.message()
    }

    fn __str__(&self) -> String {
        self.diagnostic.to_string()
    }

    fn __repr__(&self) -> String {
        let d = &self.diagnostic;
        format!(
            "Diagnostic(file={:?}, line={}, column={}, message={:?})",
            d.file(),
            d.line(),
            d.column(),
            d.message()
        )
    }
}
