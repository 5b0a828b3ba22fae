/**
 * Which clients the public classes make their Kafka clients with: the librdkafka adapter, or, inside
 * `with`, a test's fakes. One mechanism for the consumer, the command client and the simulator.
 *
 * @module
 */

/** The clients for the next object made, and a way to make objects with other clients. */
export interface ClientChoice<Clients> {
  /** The clients the next object is made with. */
  current(): Clients;
  /**
   * Makes objects whose clients come from `clients` instead (the unit tests' fakes).
   *
   * @param clients - the clients
   * @param make - makes the object(s), synchronously
   * @returns what `make` returned
   */
  with<T>(clients: Clients, make: () => T): T;
}

/**
 * A choice of clients that starts with `initial`.
 *
 * @param initial - the clients used outside `with` (the librdkafka adapter)
 * @returns the choice
 */
export function clientChoice<Clients>(initial: Clients): ClientChoice<Clients> {
  let next = initial;
  return {
    current: () => next,
    with<T>(clients: Clients, make: () => T): T {
      const before = next;
      next = clients;
      try {
        return make();
      } finally {
        next = before;
      }
    },
  };
}
