package dev.converge.e2e;

/** A device of the simulation as the server sees it: its links carry its subject's token. */
interface SimActor extends SimNet.DeviceEnd {
  /** Returns the token subject this device connects as. */
  String subject();
}
