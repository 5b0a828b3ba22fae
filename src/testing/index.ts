/**
 * `eclipse-hono-kafka/testing`: a Hono simulator that plays Hono's side against a real Kafka broker, for
 * the tests and demos of applications built on the SDK.
 *
 * @packageDocumentation
 * @categoryDescription Testing
 * A Hono simulator: devices that connect, disconnect and send, and a command router that answers.
 */
export { HonoSimulator } from './hono-simulator.js';
export type { AnswerCommandsOptions, HonoSimulatorEvents, WaitForCommandsOptions } from './hono-simulator.js';
export type { HonoSimulatorOptions } from './options.js';
export { SimulatedDevice } from './simulated-device.js';
export type { ConnectOptions, MessageOptions } from './simulated-device.js';
export type { AnswerCommand, CommandAnswer, HandledCommand } from './command-router.js';
export { CommandOutcome } from './command-routing.js';
export type { DecodedCommand, InvalidCommand } from '../wire/commands.js';
