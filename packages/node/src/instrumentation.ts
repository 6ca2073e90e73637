// The module-patching runtime for packs that instrument a library (`@otelkit/node/instrumentation`): one copy of
// `@opentelemetry/instrumentation` for every pack, loaded only by a pack whose target library is installed.
export { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, isWrapped, registerInstrumentations } from '@opentelemetry/instrumentation';
export type { Instrumentation, InstrumentationConfig, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
