/**
 * @apollo/gateway's constructor starts a "data collection" meter provider unless
 * `APOLLO_TELEMETRY_DISABLED` is true: OTLP metrics sent to Apollo, with cloud resource detectors that
 * look up the GCP metadata server at start-up. Nothing leaves the machine unless configured, so the
 * gateway turns it off before constructing ApolloGateway; the variable is the library's only switch.
 */
export function disableApolloTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env.APOLLO_TELEMETRY_DISABLED = 'true';
}
