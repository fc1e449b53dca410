/** @type {AppTypes.Config} */
// OHIF's configuration for Cirrus, written by viewer/site.py into the served app-config.js.
// ${router_basename} is where the viewer is served (/ohif/ locally, /{stage}/ohif/ behind
// API Gateway's stage URL) and ${server_root} the prefix of the API on the same origin
// ("" locally, /{stage} on AWS): the data source is the same origin, so no CORS, and the
// browser sends the credentials it already holds for the API.
window.config = {
  name: 'cirrus',
  routerBasename: '${router_basename}',
  extensions: [],
  modes: [],
  customizationService: {},
  showStudyList: true,
  maxNumberOfWebWorkers: 3,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: true,
  showLoadingIndicator: true,
  strictZSpacingForVolumeViewport: true,
  groupEnabledModesFirst: true,
  maxNumRequests: {
    interaction: 100,
    thumbnail: 5,
    prefetch: 10,
  },
  defaultDataSourceName: 'cirrus',
  dataSources: [
    {
      namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
      sourceName: 'cirrus',
      configuration: {
        friendlyName: 'Cirrus DICOMweb',
        name: 'cirrus',
        qidoRoot: '${server_root}/dicom-web',
        wadoRoot: '${server_root}/dicom-web',
        wadoUriRoot: '${server_root}/wado',
        // QIDO-RS answers the attributes PS3.18 requires per level; OHIF asks for more
        // with includefield only where the server says it supports it.
        qidoSupportsIncludeField: false,
        supportsReject: false,
        supportsFuzzyMatching: false,
        supportsWildcard: true,
        imageRendering: 'wadors',
        thumbnailRendering: 'wadors',
        enableStudyLazyLoad: true,
        // Orthanc's plugin, like Cirrus, reads the multipart type parameter unquoted.
        omitQuotationForMultipartRequest: true,
        bulkDataURI: {
          enabled: true,
        },
      },
    },
  ],
};
