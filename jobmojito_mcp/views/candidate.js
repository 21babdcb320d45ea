// The candidate view: score per question, the transcript with each answer's score, the AI's
// reasons, the key statement. Recordings load only when asked (signed links, fetched on click).
JM.candidate = (d, who, back) => {
  const { h } = JM, id = d.interview_result_id;
  const reasons = d.hiring_reasons || {};
  const list = (items, cls) => items && items.length ? h("ul", { class: cls }, items.map((t) => h("li", {}, t))) : h("p", { class: "muted" }, "None given.");
  const answers = d.transcript || [];
  const media = (url, label) => url ? h("audio", { controls: true, preload: "none", src: url, "aria-label": label }) : null;
  const buttons = h("div", { class: "row" },
    back ? h("button", { type: "button", onclick: back }, "← All candidates") : null,
    JM.can("get_interview_result_details") ? JM.action("Load recordings", async () => {
      const r = await JM.call("get_interview_result_details", { interview_result_id: id, get_signed_recordings: true });
      const got = r.structuredContent || {};
      JM.candidate(got, who, back);
      const n = (got.transcript || []).filter((a) => a.recording_url).length + (got.recording_url ? 1 : 0);
      return n ? `${n} recording(s) ready: play them below; the links expire soon.` : "This result has no recordings.";
    }) : null,
    JM.can("generate_interview_report") ? JM.action("Generate PDF report", async () => {
      const r = await JM.call("generate_interview_report", { interview_result_id: id, export_type: "pdf" });
      const url = (r.structuredContent || {}).pdf_export_url;
      if (url) await JM.request("ui/open-link", { url });
      return JM.text(r);
    }) : null,
    JM.can("request_another_interview_attempt") ? JM.action("Request another attempt", async () =>
      JM.text(await JM.call("request_another_interview_attempt", { interview_result_id: id }))) : null);
  JM.show(
    h("h1", {}, who || "Candidate result"),
    h("p", { class: "muted" }, `Result ${id} · ${d.status || "unknown status"}` + (d.duration ? ` · ${Math.round(d.duration / 600)} min` : "")),
    h("p", {}, h("strong", {}, "Score "), JM.score(d.score), d.score_text ? ` — ${d.score_text}` : ""),
    buttons, JM.status(),
    d.recording_url ? h("p", {}, media(d.recording_url, "Whole session recording")) : null,
    d.ai_analysis_recruiter ? h("section", { "aria-labelledby": "a" }, h("h2", { id: "a" }, "Assessment"), h("p", {}, d.ai_analysis_recruiter)) : null,
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "y" }, h("h2", { id: "y", class: "good" }, "Reasons to hire"), list(reasons.reasons_to_hire)),
      h("section", { class: "card", "aria-labelledby": "n" }, h("h2", { id: "n", class: "bad" }, "Reasons not to hire"), list(reasons.reasons_not_to_hire))),
    d.key_statement && d.key_statement.quote ? h("section", { "aria-labelledby": "k" }, h("h2", { id: "k" }, "Key statement"), h("blockquote", {}, d.key_statement.quote)) : null,
    d.risks && d.risks.length ? h("section", { "aria-labelledby": "r" }, h("h2", { id: "r", class: "warn" }, "Risks"), list(d.risks)) : null,
    d.score_rationale ? h("p", { class: "muted" }, d.score_rationale) : null,
    h("h2", {}, "Score per question"),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "#"), h("th", { scope: "col" }, "Question"), h("th", { scope: "col" }, "Score"))),
      h("tbody", {}, answers.map((a, i) => h("tr", {}, h("td", {}, i + 1), h("td", {}, a.question_asked || ""), h("td", {}, JM.score(a.score)))))),
    h("h2", {}, "Transcript"),
    answers.length ? h("ol", {}, answers.map((a, i) => h("li", { class: "card" },
      h("h3", {}, a.question_asked || `Answer ${i + 1}`),
      h("p", {}, a.answer || h("span", { class: "muted" }, "(no answer)")),
      h("p", { class: "muted" }, "Answer score ", JM.score(a.score)),
      media(a.recording_url, `Recording of answer ${i + 1}`)))) : h("p", { class: "muted" }, "No answers yet."));
};
if (!JM.main) JM.main = (sc) => JM.candidate(sc, null, null);
