// @ts-check
/**
 * A TypeDoc plugin for this project's API reference: hides the members a class inherits from a
 * dependency as undocumented static properties. `HonoEventConsumer` extends eventemitter3's
 * `EventEmitter`, whose only property is the undocumented static `prefixed` flag; without this, the
 * consumer's page opens its members with a "Properties" section holding just that. The typed `on`,
 * `once`, `off` and the other inherited methods stay.
 */
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    for (const reflection of project.getReflectionsByKind(ReflectionKind.Property)) {
      const { flags } = reflection;
      if (flags.isStatic && flags.isInherited && flags.isExternal && !reflection.hasComment()) {
        project.removeReflection(reflection);
      }
    }
  });
}
