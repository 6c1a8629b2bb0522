//! The slot map: the 16384 slots as a 128 × 128 grid coloured by owner, as one chosen node sees
//! them. Two nodes can disagree for a while; choosing each in turn shows it.

use cluster_sim::SlotRun;
use yew::prelude::*;

/// Properties of [`SlotMap`].
#[derive(Debug, Properties, PartialEq)]
pub struct SlotMapProps {
    /// The node whose beliefs are drawn.
    pub observer: u16,
    /// Its map, in slot order (`None`: that port has no cluster node).
    pub runs: Option<Vec<SlotRun>>,
    /// Every port with a cluster node, for the chooser and stable colours.
    pub ports: Vec<u16>,
    /// Another observer was chosen.
    #[prop_or_default]
    pub on_observer: Callback<u16>,
}

/// Slots per row of the grid.
pub const ROW: u16 = 128;

/// The colour index of an owner: its place among the ports, so colours stay put.
pub fn owner_class(ports: &[u16], owner: Option<u16>) -> String {
    match owner.and_then(|o| ports.iter().position(|&p| p == o)) {
        Some(i) => format!("owner-{}", i % 12),
        None => "owner-none".to_string(),
    }
}

/// Splits runs at row ends: `(row, first column, length, owner)`.
pub fn row_segments(runs: &[SlotRun]) -> Vec<(u16, u16, u16, Option<u16>)> {
    let mut out = Vec::new();
    for r in runs {
        let mut s = r.start;
        loop {
            let row = s / ROW;
            let row_end = (row + 1) * ROW - 1;
            let end = r.end.min(row_end);
            out.push((row, s % ROW, end - s + 1, r.owner));
            if end == r.end {
                break;
            }
            s = end + 1;
        }
    }
    out
}

/// The slot map panel.
#[function_component(SlotMap)]
pub fn slot_map(props: &SlotMapProps) -> Html {
    let on_change = {
        let cb = props.on_observer.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(p) = select.value().parse::<u16>() {
                cb.emit(p);
            }
        })
    };
    let Some(runs) = &props.runs else {
        return html! {
            <section class="slot-map empty" aria-label="slot map">
                <p>{ "Start a cluster node to see who owns the 16384 slots." }</p>
            </section>
        };
    };
    let legend: Vec<(Option<u16>, usize)> = {
        let mut counts: Vec<(Option<u16>, usize)> = Vec::new();
        for r in runs {
            let n = usize::from(r.end - r.start) + 1;
            match counts.iter_mut().find(|(o, _)| *o == r.owner) {
                Some(c) => c.1 += n,
                None => counts.push((r.owner, n)),
            }
        }
        counts
    };
    let summary = legend
        .iter()
        .map(|(o, n)| match o {
            Some(p) => format!("{p}: {n} slots"),
            None => format!("unassigned: {n} slots"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        <section class="slot-map" aria-label="slot map">
            <label class="observer">
                { "Slots as seen by " }
                <select onchange={on_change} aria-label="observer">
                    { for props.ports.iter().map(|&p| html! {
                        <option value={p.to_string()} selected={p == props.observer}>{ p }</option>
                    }) }
                </select>
            </label>
            <svg class="slot-grid" viewBox={format!("0 0 {ROW} {ROW}")} preserveAspectRatio="none" role="img"
                aria-label={format!("slot owners as {} sees them: {summary}", props.observer)}>
                { for row_segments(runs).into_iter().map(|(row, col, len, owner)| html! {
                    <rect class={owner_class(&props.ports, owner)} x={col.to_string()} y={row.to_string()} width={len.to_string()} height="1" />
                }) }
            </svg>
            <ul class="slot-legend">
                { for legend.iter().map(|&(owner, n)| html! {
                    <li><span class={classes!("swatch", owner_class(&props.ports, owner))} aria-hidden="true"></span>
                        { match owner { Some(p) => format!("{p} · {n}"), None => format!("no owner · {n}") } }</li>
                }) }
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_row_ends_and_cover_every_slot_once() {
        let runs = [
            SlotRun {
                start: 0,
                end: 5460,
                owner: Some(7000),
            },
            SlotRun {
                start: 5461,
                end: 10922,
                owner: None,
            },
            SlotRun {
                start: 10923,
                end: 16383,
                owner: Some(7002),
            },
        ];
        let segs = row_segments(&runs);
        let total: u32 = segs.iter().map(|s| u32::from(s.2)).sum();
        assert_eq!(total, 16384);
        assert_eq!(segs[0], (0, 0, 128, Some(7000)));
        // 5460 = row 42, column 84: the first run ends there, the next starts at 85.
        assert!(segs.contains(&(42, 0, 85, Some(7000))));
        assert!(segs.contains(&(42, 85, 43, None)));
        assert!(segs.iter().all(|s| s.1 + s.2 <= ROW));
        assert_eq!(owner_class(&[7000, 7002], Some(7002)), "owner-1");
        assert_eq!(owner_class(&[7000], None), "owner-none");
    }
}
