//! Lists of lines kept in the browser's local storage (history, exercise progress). A private
//! window may refuse storage: reads then give nothing and writes are dropped.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The lines stored under `key`, or none.
pub fn load_lines(key: &str) -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .map(|text| text.lines().map(String::from).collect())
        .unwrap_or_default()
}

/// Stores `lines` under `key`, if the browser lets us.
pub fn save_lines(key: &str, lines: &[String]) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, &lines.join("\n"));
    }
}
