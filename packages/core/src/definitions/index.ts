/** The public entry for project code: what `import { defineAsset } from 'weir'` resolves to. */
export { defineAsset, isAssetDefinition, ASSET_DEFINITION_MARKER } from './asset-definition.js';
export type { AssetContext, AssetDefinition, AssetOptions, AssetPartition, AssetPartitioning, AssetRow } from './asset-definition.js';
export { defineSource, isSourceDefinition, SOURCE_DEFINITION_MARKER } from './source-definition.js';
export type { SourceContext, SourceDefinition, SourceOptions, SourceRecord, SourceSchemaPolicy, SourceYield } from './source-definition.js';
export type { CheckSeverity, CheckSpec, CheckType } from './check-spec.js';
export { defineCheck } from './define-check.js';
export type { CheckArguments, CheckDeclaration } from './define-check.js';
export { defineSensor, isSensorDefinition, SENSOR_DEFINITION_MARKER } from './sensor-definition.js';
export type { SensorContext, SensorCursor, SensorDefinition, SensorOptions, SensorResult, SensorRunRequest } from './sensor-definition.js';
