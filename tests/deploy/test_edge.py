"""CloudFront in front of the API: on by a parameter, HTTPS only, the API never cached and
sent everything but the Host, the documents cached; the documents routed without auth."""

from __future__ import annotations

import pytest

from api.resources import function_for_tag
from api.web.docs import DOCUMENT_PATHS
from deploy.api_definition import DOCUMENTS_TAG

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}


@pytest.fixture(scope="module")
def distribution(stack):
    ((name, resource),) = stack.of_type("AWS::CloudFront::Distribution").items()
    assert name == "Distribution"
    return resource


def test_a_parameter_turns_the_distribution_off_and_it_is_on_by_default(
    sam_template, stack, distribution
):
    assert sam_template["Parameters"]["CloudFront"]["Default"] == "true"
    assert set(sam_template["Parameters"]["CloudFront"]["AllowedValues"]) == {"true", "false"}
    assert stack.template["Conditions"]["HasCloudFront"] == {
        "Fn::Equals": [{"Ref": "CloudFront"}, "true"]
    }
    assert distribution["Condition"] == "HasCloudFront"
    outputs = stack.template["Outputs"]
    assert outputs["DistributionDomainName"]["Condition"] == "HasCloudFront"
    assert outputs["DistributionDomainName"]["Value"] == {
        "Fn::GetAtt": ["Distribution", "DomainName"]
    }


def test_the_origin_is_the_http_api_over_https_only(distribution):
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {
        "Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    }
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_api_paths_are_never_cached_and_get_every_header_query_string_and_cookie(distribution):
    default = distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert default["CachePolicyId"] == CACHING_DISABLED
    # All viewer headers (Authorization, If-Match, Idempotency-Key...), cookies and query
    # strings; not the Host, since API Gateway answers only its own.
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(default["AllowedMethods"]) == ALL_METHODS
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"


def test_only_the_documents_are_cached(distribution):
    config = distribution["Properties"]["DistributionConfig"]
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviors) == set(DOCUMENT_PATHS)
    for behavior in behaviors.values():
        assert behavior["CachePolicyId"] == CACHING_OPTIMIZED
        assert "OriginRequestPolicyId" not in behavior
        assert set(behavior["AllowedMethods"]) == {"GET", "HEAD"}
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["TargetOriginId"] == config["DefaultCacheBehavior"]["TargetOriginId"]


def test_the_documents_are_routed_to_one_function_and_need_no_credentials(deployed):
    stack = deployed.stack
    routes = stack.api_routes()
    (api,) = stack.of_type("AWS::ApiGatewayV2::Api").values()
    paths = api["Properties"]["Body"]["paths"]
    function = function_for_tag(DOCUMENTS_TAG)
    assert function is not None
    for path in DOCUMENT_PATHS:
        assert stack.invoked(routes["GET", path]["uri"]) == deployed.function_id(
            function.logical_id
        )
        assert paths[path]["get"]["security"] == []
