// The results board: one interview's candidates ranked, score bars, decision and shortlist state,
// risks, tabs as JobMojito has them. A name opens the candidate; two to four ticked compare.
JM.main = (sc, input) => {
  const { h } = JM;
  const TABS = [["", "All"], ["undecided", "Undecided"], ["shortlist", "Shortlist"], ["decided-selected", "Selected"],
    ["decided-rejected", "Rejected"], ["completed", "Completed"], ["incomplete", "Incomplete"]];
  let rows = sc.data || [], tab = input.tab || "", full = input.view === "full";
  const picked = new Set();
  const risks = (r) => {
    const v = r.recruiter_risks;
    const items = !v ? [] : Array.isArray(v) ? v : typeof v === "object" ? Object.keys(v) : [String(v)];
    return items.length ? h("span", { class: "warn" }, items.map(String).join(", ")) : h("span", { class: "muted" }, "none");
  };
  const decision = (r) => r.decision_status === "selected" ? h("span", { class: "badge good" }, "selected")
    : r.decision_status === "rejected" ? h("span", { class: "badge bad" }, "rejected")
    : h("span", { class: "badge" }, r.decision_status || "undecided");
  const open = async (r) => {
    const d = await JM.call("get_interview_result_details", { interview_result_id: r.interview_result_id });
    JM.candidate(d.structuredContent || {}, r.candidate_name, board);
  };
  const load = async (t) => {
    const args = { tab: t || undefined, order_by: "score", view: "full", limit: 50 };
    if (input.interview_id) args.interview_id = input.interview_id;
    const r = await JM.call("list_interview_results", args);
    tab = t; full = true; rows = (r.structuredContent || {}).data || []; picked.clear(); board();
  };
  const compare = async () => {
    const chosen = rows.filter((r) => picked.has(r.interview_result_id)).sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
    const all = await Promise.all(chosen.map((r) => JM.call("get_interview_result_details", { interview_result_id: r.interview_result_id })));
    const ds = all.map((r) => r.structuredContent || {});
    const n = Math.max(...ds.map((d) => (d.transcript || []).length));
    const head = h("tr", {}, h("th", { scope: "col" }, "Question"), chosen.map((r) => h("th", { scope: "col" }, r.candidate_name || r.candidate_email || "")));
    const line = (label, cell) => h("tr", {}, h("th", { scope: "row" }, label), ds.map((d) => h("td", {}, cell(d))));
    const body = [line("Overall", (d) => JM.score(d.score))];
    for (let i = 0; i < n; i++) {
      const q = ds.map((d) => (d.transcript || [])[i]).find((a) => a && a.question_asked);
      body.push(line(`${i + 1}. ${q ? q.question_asked : ""}`, (d) => { const a = (d.transcript || [])[i]; return a ? JM.score(a.score) : "–"; }));
    }
    body.push(line("Reasons to hire", (d) => ((d.hiring_reasons || {}).reasons_to_hire || []).join(" · ") || "–"));
    body.push(line("Reasons not to hire", (d) => ((d.hiring_reasons || {}).reasons_not_to_hire || []).join(" · ") || "–"));
    JM.show(h("h1", {}, `Comparing ${chosen.length} candidates`), h("button", { type: "button", onclick: board }, "← All candidates"),
      JM.status(), h("table", {}, h("thead", {}, head), h("tbody", {}, body)));
  };
  const board = () => {
    const positions = [...new Set(rows.map((r) => r.position_name).filter(Boolean))];
    const title = positions.length === 1 ? positions[0] : positions.length ? `Results of ${positions.length} interviews` : "Interview results";
    const cmp = JM.action("Compare selected", compare, { class: "primary", id: "compare", disabled: picked.size < 2 || picked.size > 4 });
    const tabs = JM.can("list_interview_results") ? h("div", { class: "tabs", role: "group", "aria-label": "Tabs" },
      TABS.map(([key, label]) => JM.action(label, () => load(key), { "aria-pressed": String(key === tab) }))) : null;
    JM.show(
      h("h1", {}, title), h("p", { class: "muted" }, `${rows.length} candidate(s), best first`), tabs,
      JM.can("get_interview_result_details") ? h("div", { class: "row" }, cmp, h("span", { class: "muted" }, "Tick 2 to 4 candidates to compare.")) : null,
      JM.status(),
      rows.length ? h("table", { "data-full": full }, h("thead", {}, h("tr", {}, ["", "Candidate", "Score", "Status", "Decision", "Shortlist", "Risks"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, [...rows].sort((a, b) => (b.score ?? -1) - (a.score ?? -1)).map((r) => {
          const id = r.interview_result_id, name = r.candidate_name || r.candidate_email || "(no name)";
          const box = id ? h("input", { type: "checkbox", "aria-label": `Compare ${name}`, checked: picked.has(id) }) : null;
          if (box) box.addEventListener("change", () => { box.checked ? picked.add(id) : picked.delete(id); cmp.disabled = picked.size < 2 || picked.size > 4; });
          return h("tr", {}, h("td", {}, box),
            h("td", {}, id && JM.can("get_interview_result_details") ? JM.action(name, () => open(r), { class: "link" }) : name,
              h("div", { class: "muted" }, r.candidate_email || ""), positions.length > 1 ? h("div", { class: "muted" }, r.position_name || "") : null,
              r.is_test ? h("span", { class: "badge" }, "test") : null),
            h("td", {}, JM.score(r.score)), h("td", {}, r.coach_status || (id ? "started" : "not started")),
            h("td", {}, decision(r)), h("td", {}, r.recruiter_shortlist ? "★ shortlisted" : "–"), h("td", {}, risks(r)));
        }))) : h("p", { class: "muted", "data-full": full }, "No candidates in this tab."));
  };
  board();
  if (JM.can("list_interview_results") && !full) load(tab).catch(() => {});
};
