//! Results a reader keeps: the calculators' state and the last run, exported as JSON or CSV,
//! imported back from a file, and remembered across reloads in `localStorage`. The formats
//! and their checks are [`crate::export`]; this is the thin layer that moves text.
//!
//! Every calculator input registers here ([`KeptInputs::register`]) from its group's URL
//! registry (the cost model's, the article formulas'). At load, an input takes the
//! saved value unless the URL carries its group's parameters (a link wins over the saved
//! state); a saved state that does not read back is ignored. An embedded page neither restores
//! nor saves: it shows what its link says.
//!
//! Ids: `#keep`, buttons `#keep-export-calculator-json`, `#keep-export-calculator-csv`,
//! `#keep-export-run-json`, `#keep-export-run-csv`, the file input `#keep-import`, the message
//! `#keep-message` (`data-state` = idle | ok | error), the kept run `#kept-run`
//! (`data-requested-device`, `data-adapter`, `data-epochs`) with one `<tr data-epoch
//! data-train-loss data-test-accuracy data-samples-per-s data-train-time-s>` per epoch in
//! `#kept-run-table`, and `#kept-use-in-cost-model`.

mod panel;

pub use panel::KeepPanel;

use leptos::prelude::*;

use crate::export::{self, CalculatorState, ExportError, Kept, RunRecord};
use crate::ui::url_state::{Check, Param};

/// `localStorage` key of the calculators' state (a calculator export, JSON).
const CALCULATOR_KEY: &str = "price-war-lab.calculator";
/// `localStorage` key of the last run (a run export, JSON).
const RUN_KEY: &str = "price-war-lab.run";

/// One registered input.
#[derive(Clone)]
struct Input {
    key: String,
    text: RwSignal<String>,
    default: String,
    check: Check,
}

/// Every calculator input on the page, and the saved state they were restored from.
#[derive(Clone, Copy)]
pub struct KeptInputs {
    inputs: StoredValue<Vec<Input>>,
    /// The saved state read at load; `None` when there is none, it is damaged, or the page
    /// is embedded.
    saved: StoredValue<Option<CalculatorState>>,
}

impl KeptInputs {
    /// Registers a group of inputs that the URL carries (the cost model's, the formulas'), restoring each
    /// from the saved state unless the URL has any of them.
    pub fn register(&self, params: &[Param]) {
        let keys: Vec<&str> = params.iter().map(|p| p.key).collect();
        let linked = url_has_any(&keys);
        for p in params {
            self.add(
                Input {
                    key: p.key.to_owned(),
                    text: p.text,
                    default: p.default.clone(),
                    check: p.check,
                },
                !linked,
            );
        }
    }

    fn add(&self, input: Input, restore: bool) {
        if restore {
            let saved = self.saved.with_value(|s| {
                s.as_ref().and_then(|s| {
                    s.inputs
                        .iter()
                        .find(|(k, _)| *k == input.key)
                        .map(|(_, v)| v.clone())
                })
            });
            match saved {
                Some(value) if input.check.accepts(&value) => input.text.set(value),
                Some(_) => log::warn!("saved value of {} is not valid; ignored", input.key),
                None => {}
            }
        }
        self.inputs.update_value(|all| all.push(input));
    }

    /// The state of every input, in registration order (tracked).
    pub fn state(&self) -> CalculatorState {
        CalculatorState {
            inputs: self
                .inputs
                .with_value(|all| all.iter().map(|i| (i.key.clone(), i.text.get())).collect()),
        }
    }

    /// `(key, text)` of the inputs the URL carries (tracked), for a link to the current state.
    pub fn url_pairs(&self) -> Vec<(String, String)> {
        self.inputs
            .with_value(|all| all.iter().map(|i| (i.key.clone(), i.text.get())).collect())
    }

    /// Applies an imported state: every input it names, the others back to their defaults.
    /// Refuses the whole file when it names an input this page lacks or a value a field refuses.
    /// Returns how many inputs the file left out.
    fn apply(&self, state: &CalculatorState) -> Result<usize, ExportError> {
        let all = self.inputs.get_value();
        let missing = state
            .check(all.iter().map(|i| i.key.as_str()), |key, value| {
                all.iter()
                    .find(|i| i.key == key)
                    .map(|i| i.check.accepts(value))
            })?
            .len();
        for input in &all {
            let value = state
                .inputs
                .iter()
                .find(|(k, _)| *k == input.key)
                .map_or_else(|| input.default.clone(), |(_, v)| v.clone());
            input.text.set(value);
        }
        Ok(missing)
    }
}

/// The last finished run (or the one imported or restored), provided once by the page.
#[derive(Clone, Copy)]
pub struct LastRunCtx(pub RwSignal<Option<RunRecord>>);

/// Provides [`KeptInputs`] and [`LastRunCtx`], restored from `localStorage` unless `embedded`,
/// and starts saving both on every change. Call once, before any input registers.
pub fn provide_keep(embedded: bool) {
    let saved = if embedded {
        None
    } else {
        load(CALCULATOR_KEY).and_then(|kept| match kept {
            Kept::Calculator(state) => Some(state),
            Kept::Run(_) => None,
        })
    };
    let inputs = KeptInputs {
        inputs: StoredValue::new(Vec::new()),
        saved: StoredValue::new(saved),
    };
    let last_run = if embedded {
        None
    } else {
        load(RUN_KEY).and_then(|kept| match kept {
            Kept::Run(run) => Some(run),
            Kept::Calculator(_) => None,
        })
    };
    let last_run = RwSignal::new(last_run);
    provide_context(inputs);
    provide_context(LastRunCtx(last_run));
    if embedded {
        return;
    }
    // Effects first run after the page is built, when every input has registered.
    Effect::new(move |_| save(CALCULATOR_KEY, &inputs.state().to_json()));
    Effect::new(move |_| {
        if let Some(run) = last_run.get() {
            save(RUN_KEY, &run.to_json());
        }
    });
}

/// Reads a saved export; `None`, with a warning, when there is none or it does not read back.
fn load(key: &str) -> Option<Kept> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let text = storage.get_item(key).ok()??;
    match export::read(&text) {
        Ok(kept) => Some(kept),
        Err(e) => {
            log::warn!("saved state '{key}' is damaged and is ignored: {e}");
            None
        }
    }
}

fn save(key: &str, text: &str) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(storage) = storage
        && storage.set_item(key, text).is_err()
    {
        // Full or forbidden storage: the state then lasts for this page only.
        log::warn!("could not save '{key}' in localStorage");
    }
}

/// Whether the page's URL has a parameter named by any of `keys`.
fn url_has_any(keys: &[&str]) -> bool {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    crate::ui::url_state::parse_query(&search)
        .iter()
        .any(|(k, _)| keys.contains(&k.as_str()))
}
