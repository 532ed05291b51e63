// SPDX-License-Identifier: Apache-2.0
/**
 * A third-party transport as a user writes it: UDP heartbeats between peers, opened with
 * {@link com.example.heartbeat.Heartbeat#open}, reporting each peer up or down to a
 * {@link com.example.heartbeat.PeerListener}.
 *
 * <p>An example, not a published loopwire module; see the module's own documentation.
 */
package com.example.heartbeat;
