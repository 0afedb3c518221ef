/**
 * Compose services reach each other on any port, so a database usually lists no `ports:`; a Kubernetes Service must
 * name its ports. For the images below, a service without `ports:`/`expose:` is given the image's standard port
 * (and a warning says so). Any other image needs `expose:` to be reachable by name.
 */
const WELL_KNOWN_PORTS: Readonly<Record<string, number>> = {
  postgres: 5432,
  postgis: 5432,
  redis: 6379,
  valkey: 6379,
  mysql: 3306,
  mariadb: 3306,
  mongo: 27017,
  memcached: 11211,
  rabbitmq: 5672,
  'mcr.microsoft.com/mssql/server': 1433,
};

/** The standard port of an image (`postgres:17`, `docker.io/library/redis:7-alpine`, `postgis/postgis`), if known. */
export function wellKnownPort(image: string | undefined): number | undefined {
  if (image === undefined) return undefined;
  const withoutTag = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const repository = withoutTag.replace(/^(docker\.io\/)?(library\/)?/, '');
  if (Object.hasOwn(WELL_KNOWN_PORTS, repository)) return WELL_KNOWN_PORTS[repository];
  const last = repository.split('/').pop() ?? repository;
  return repository.includes('.') ? undefined : WELL_KNOWN_PORTS[last];
}
