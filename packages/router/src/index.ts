/** @arena/router: the multimodal router (MM-DREX style): chart + temporal features -> regime and expert weights. */
export * from './decision.ts';
export * from './spec.ts';
export * from './charts.ts';
export * from './temporal.ts';
export * from './labels.ts';
export * from './dataset.ts';
export * from './model.ts';
export * from './policy.ts';
export * from './train.ts';
export * from './card.ts';
export * from './io.ts';
export * from './trainOnPanel.ts';
export * from './router.ts';
export * from './vlmRouter.ts';
export * from './factory.ts';
export * from './vlm/index.ts';
