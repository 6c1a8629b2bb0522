//! Inline styles without `style` attributes: the strict Content-Security-Policy forbids inline
//! style attributes, but not setting properties through the CSSOM. Views write what they need
//! as `data-style="--x1:10px;left:4%"`, and [`apply_data_styles`] copies it into the element's
//! style after each render.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A reference for a view's root element, whose `data-style`s are applied after every render.
#[hook]
pub fn use_data_styles() -> NodeRef {
    let root = use_node_ref();
    {
        let root = root.clone();
        use_effect(move || {
            if let Some(el) = root.cast::<web_sys::Element>() {
                apply_data_styles(&el);
            }
        });
    }
    root
}

/// Copies every `data-style` under `root` into its element's style (CSSOM, allowed by the CSP).
pub fn apply_data_styles(root: &web_sys::Element) {
    let Ok(list) = root.query_selector_all("[data-style]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let Some(text) = el.get_attribute("data-style") else {
            continue;
        };
        let style = if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
            h.style()
        } else if let Some(s) = el.dyn_ref::<web_sys::SvgElement>() {
            s.style()
        } else {
            continue;
        };
        for decl in text.split(';') {
            if let Some((name, value)) = decl.split_once(':') {
                let _ = style.set_property(name.trim(), value.trim());
            }
        }
    }
}
