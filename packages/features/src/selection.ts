/** One selection of features, as recorded for the audit trail and the dashboard. */

export type SelectionReason = 'initial' | 'scheduled' | 'drift';

export interface FeatureScore {
  readonly name: string;
  readonly cluster: number;
  /** Spearman rank correlation with the forward return over the window (pooled over assets) */
  readonly rankIC: number;
  /** |rankIC| x sqrt(effective samples) */
  readonly icT: number;
  /** mutual information with the forward return, nats, bias-corrected */
  readonly mutualInfo: number;
  /** inverse of the feature's weighted within-cluster variance, scaled to (0, 1] */
  readonly clusterScore: number;
  /** blend of predictive strength and cluster score; 0 when not significant */
  readonly score: number;
  readonly eligible: boolean;
}

export interface Selection {
  /** row of the panel at whose close the selection was made */
  readonly t: number;
  /** that bar's open time, ms */
  readonly ts: number;
  readonly reason: SelectionReason;
  /** human-readable why, e.g. `drift: PSI 0.41 on rvol_48 > 0.25` */
  readonly detail: string;
  /** selected features (catalogue names), best first */
  readonly features: readonly string[];
  /** their column indices in the FeatureSet */
  readonly indices: readonly number[];
  /** weights of the selected features, summing to 1 */
  readonly weights: readonly number[];
  /** clusters used (k) and, when chosen automatically, their mean silhouette */
  readonly clusters: number;
  readonly silhouette: number | null;
  /** samples (bar x asset cells) the scores were computed from */
  readonly samples: number;
  /** every feature's scores at this selection (for the report's IC table and cluster map) */
  readonly scores: readonly FeatureScore[];
  /** the |correlation| matrix (features x features, row-major) the clusters were built on */
  readonly correlation: Float64Array;
}
