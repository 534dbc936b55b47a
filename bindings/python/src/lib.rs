//! Python bindings for clicksift, imported as `clicksift`.
//!
//! The native module is `clicksift._native`; the package re-exports it and
//! carries the type stubs. Errors form one hierarchy under
//! `clicksift.Error`: `RuleError` for rules that do not build (with every
//! diagnostic), `RecordError` for a malformed click (with its line and
//! field).
#![deny(missing_docs)]

mod engine;
mod record;
mod result;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    clicksift,
    Error,
    PyException,
    "Base class of every error clicksift raises."
);
create_exception!(
    clicksift,
    RuleError,
    Error,
    "Rules or catalogues did not build; `diagnostics` lists every problem."
);
create_exception!(
    clicksift,
    RecordError,
    Error,
    "A click record is malformed; `line`, `field` and `message` say where and why."
);

/// The native module, `clicksift._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("RuleError", py.get_type::<RuleError>())?;
    m.add("RecordError", py.get_type::<RecordError>())?;
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<engine::PyStream>()?;
    m.add_class::<result::PyResult_>()?;
    m.add_class::<result::PyReason>()?;
    m.add_class::<result::PyDiagnostic>()?;
    Ok(())
}
