// SPDX-License-Identifier: Apache-2.0
/**
 * A third-party event loop as a user writes it: {@link com.example.simloop.SimLoop}, a
 * deterministic loop with virtual time and an in-memory network, for simulations and tests.
 *
 * <p>An example, not a published loopwire module; see the module's own documentation.
 */
package com.example.simloop;
