/*
 * Following a timing receiver's survey-in to its end. The receiver reports
 * progress once a second (TIM-SVIN on M8T, NAV-SVIN on F9T); when both the
 * minimum time and the accuracy limit are met it marks the mean valid,
 * stops surveying and holds that position. That position is what the box
 * saves on /data, so that after a reboot the receiver is put straight into
 * fixed mode and gives time within seconds instead of after another survey.
 */
import type { SurveyInReport } from "../receiverReports.js";
import type { ReceiverSettings, SurveyedPosition } from "./settings.js";

export type SurveyStep = { kind: "progress"; report: SurveyInReport } | { kind: "done"; position: SurveyedPosition; report: SurveyInReport } | { kind: "not-running"; report: SurveyInReport };

export class SurveyWatch {
  private done = false;

  constructor(readonly limit: ReceiverSettings["survey"]) {}

  update(r: SurveyInReport): SurveyStep {
    if (r.valid && !r.active) {
      if (this.done) return { kind: "progress", report: r };
      this.done = true;
      return { kind: "done", position: { ecefM: { ...r.ecefM }, accuracyM: r.accuracyM }, report: r };
    }
    if (!r.active) return { kind: "not-running", report: r };
    return { kind: "progress", report: r };
  }

  get finished(): boolean {
    return this.done;
  }
}

/**
 * What the front panel should say during a survey: a title of at most 11
 * characters and a hint of at most 16 ("1234/3600s 2.3m": time so far of
 * the minimum, and the accuracy reached, which must fall below the limit).
 */
export function surveyPanelText(r: SurveyInReport, limit: ReceiverSettings["survey"]): { title: string; hint: string } {
  const acc = r.accuracyM >= 100 ? `${Math.round(r.accuracyM)}m` : `${r.accuracyM.toFixed(1)}m`;
  const time = `${Math.min(r.durationS, 99999)}/${Math.min(limit.minDurationS, 99999)}s`;
  const hint = `${time} ${acc}`;
  return { title: "SURVEY IN", hint: hint.length <= 16 ? hint : `${Math.min(r.durationS, 99999)}s ${acc}`.slice(0, 16) };
}
