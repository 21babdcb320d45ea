// The interview preview: the questions, their durations, the avatar and settings as a candidate
// would meet them, before it is published; "Publish" calls set_interview_state(status=active).
JM.main = (sc) => {
  const { h } = JM;
  const id = sc.position_id || sc.interview_def_set_id;
  let avatar = null; // the template's name and kind, from list_avatars when the caller may list them
  const render = (d) => {
    const qs = (d.questions || []).map((q) => typeof q === "string" ? { question: q } : q);
    const fact = (label, value) => value === undefined || value === null || value === "" ? null : h("div", {}, h("dt", {}, label), h("dd", {}, String(value)));
    const draft = d.status === "draft";
    JM.show(
      h("h1", {}, d.name || "Interview"),
      h("p", {}, h("span", { class: draft ? "badge warn" : "badge good" }, d.status || "unknown"), " ", h("span", { class: "muted" }, `Interview ${id}`)),
      h("div", { class: "row" },
        draft && JM.can("set_interview_state") ? JM.action("Publish", async () => {
          const r = await JM.call("set_interview_state", { position_id: id, status: "active" });
          await refresh();
          return JM.text(r);
        }, { class: "primary" }) : null,
        !draft ? h("span", { class: "muted" }, "Published interviews are what candidates see.") : null),
      JM.status(),
      d.interview_description_long || d.description ? h("p", {}, d.interview_description_long || d.description) : null,
      h("dl", { class: "grid card" },
        fact("Avatar", avatar ? `${avatar.name} (${avatar.type})` : d.interview_template_type || d.interview_template_id),
        fact("Language", d.speech_language_name || d.mojito_language_code),
        fact("Location", d.interview_location), fact("Visibility", d.visibility),
        fact("Mode", d.is_voice_only === undefined ? undefined : d.is_voice_only ? "voice only" : "video"),
        fact("Longest session", d.max_duration ? `${Math.round(d.max_duration / 60)} min` : undefined),
        fact("Follow-ups per question", d.max_followups), fact("Recording", d.recording),
        fact("Open until", d.interview_available_till)),
      d.candidate_expectations ? h("section", {}, h("h2", {}, "What the candidate is told"), h("p", {}, d.candidate_expectations)) : null,
      h("h2", {}, `${qs.length} question(s), in order`),
      qs.length ? h("ol", {}, qs.map((q) => h("li", { class: "card" }, h("p", {}, q.question || ""),
        h("p", { class: "muted" }, [q.duration ? `${q.duration} s to answer` : null, q.is_conditional ? "follow-up" : null,
          q.is_multiple_choice && q.question_alternatives ? `choices: ${q.question_alternatives.join(" / ")}` : null].filter(Boolean).join(" · "))))) :
        h("p", { class: "muted" }, "No single question list (multi-stage position)."));
  };
  const refresh = async () => {
    const r = await JM.call("get_interview_definition", { position_id: id, view: "full" });
    const d = r.structuredContent || {};
    if (d.interview_template_id && JM.can("list_avatars") && !avatar) {
      const a = await JM.call("list_avatars", { mojito_language_code: d.mojito_language_code, limit: 1000 }).catch(() => null);
      avatar = ((a && a.structuredContent && a.structuredContent.data) || []).find((t) => t.id === d.interview_template_id) || null;
    }
    render(d);
  };
  render(sc);
  if (id && JM.can("get_interview_definition")) refresh().catch(() => {});
};
