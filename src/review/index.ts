/** Review: queues, reviewers, agreement, exports and the web app. */
export { createReviewApp, mountReviewApp, startReviewServer, type ReviewApp, type ReviewAppOptions } from './web/app.js';
export { judgeAgreement, judgeAgreementIn, reviewLabelsForRun, reviewLabelsIn, type RunJudgeAgreement } from './judge-agreement.js';
export { krippendorffAlpha, queueAgreement, pairStats, type QueueAgreement, type ReviewerAgreement, type PairStats } from './agreement.js';
export { sampleFromRun, borderlineFromRun, borderlineReason, frontierTasks, frontierTasksOf, preferenceTasks, appealTasks, appealTasksOf, trafficSample, trafficSampleOf, applyDoubleShare, type RunSource } from './create.js';
export { submitVerdict, undoLast, canSeeQueue, visibleQueues, taskFor, breakItem, AccessError, type SubmitInput } from './flow.js';
export { exportRows, toJsonl, type ExportKind } from './export.js';
export { hashPassword, verifyPassword } from './password.js';
export { verdictOptions, humanLabels, type VerdictOption } from './verdicts.js';
export { createReviewStore, CLAIM_MINUTES, REVIEW_ROLES, QUEUE_KINDS, type ReviewStore, type SqliteReviewStore, type ReviewTask, type ReviewQueue, type ReviewUser, type ReviewRole, type QueueKind, type TaskPayload, type VerdictRecord } from '../store/review.js';
